"""The ledger's columns sealed with the FieldCipher, for the key rotation.

They hold the ``*_sealed`` texts of the ledger's own events as they travelled, under
plain names (``ledger_visits.findings``). The associated data is the ``column`` that the
ledger's service layer seals each text with (visits.py, referrals.py, cases.py); the
adapters do not import the service layer, and a unit test holds the two together.
"""

from wushe.ledger.adapters.case_orm import (
    CaseConferenceRecord,
    CaseGoalRecord,
    CaseRiskChangeRecord,
    CaseStepRecord,
)
from wushe.ledger.adapters.referral_orm import ReferralRecord
from wushe.ledger.adapters.visit_orm import VisitRecord
from wushe.shared.sealed_columns import sealed_table

SEALED_TABLES = (
    sealed_table(VisitRecord, {"findings": "ledger_visits.findings"}),
    sealed_table(
        ReferralRecord,
        {
            "reason": "ledger_referrals.reason",
            "legal_basis_note": "ledger_referrals.legal_basis_note",
            "decline_reason": "ledger_referrals.decline_reason",
            "outcome": "ledger_referrals.outcome",
            "withdrawal_reason": "ledger_referrals.withdrawal_reason",
        },
    ),
    sealed_table(
        CaseStepRecord,
        {
            "note": "ledger_case_steps.note",
            "satisfaction_comment": "ledger_case_steps.satisfaction_comment",
        },
    ),
    sealed_table(
        CaseGoalRecord,
        {
            "description": "ledger_case_goals.description",
            "outcome_note": "ledger_case_goals.outcome_note",
        },
    ),
    sealed_table(CaseConferenceRecord, {"decisions": "ledger_case_conferences.decisions"}),
    sealed_table(CaseRiskChangeRecord, {"reason": "ledger_case_risk_changes.reason"}),
)
