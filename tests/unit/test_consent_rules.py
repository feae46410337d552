"""Consent and legal basis: on which days they apply, who may give consent, and which
grounds answer whether a use of a person's data is allowed."""

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from wushe.intake.domain.consent import ConsentGrant, ConsentRevocation, giver_violation
from wushe.intake.domain.legal_basis import LegalBasisEntry
from wushe.intake.domain.sharing import Ground, Permission, grounds_for
from wushe.shared.events.consent import (
    ConsentGranted,
    ConsentRevoked,
    ProcessingPurpose,
    RecipientKind,
)

SHARING = ProcessingPurpose.DATA_SHARING_WITH_PARTNERS
POLICE = RecipientKind.POLICE
SELF_CONSENT = {
    "purpose": "data_sharing_with_partners",
    "recipient_kind": "police",
    "given_by": "self",
    "valid_from": "2026-01-01",
    "evidence": "知情同意书 编号 HC-2026-0001",
}


def permission(**fields: Any) -> Permission:
    values = {"purpose": SHARING, "recipient_kind": POLICE, "valid_from": date(2026, 1, 1)}
    return Permission(**(values | fields))


def errors(model: type[ConsentGrant | ConsentRevocation], **fields: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(fields)
    return {str(error["loc"][0]): error["msg"] for error in caught.value.errors()}


def test_in_force_from_the_first_day_to_the_last_inclusive() -> None:
    consent = permission(valid_until=date(2026, 6, 30))
    assert not consent.in_force_on(date(2025, 12, 31))
    assert consent.in_force_on(date(2026, 1, 1))
    assert consent.in_force_on(date(2026, 6, 30))
    assert not consent.in_force_on(date(2026, 7, 1))


def test_open_ended_consent_never_expires() -> None:
    assert permission().in_force_on(date(2099, 12, 31))


def test_revoked_consent_ends_on_the_day_of_revocation() -> None:
    consent = permission(revoked_on=date(2026, 3, 10))
    assert consent.in_force_on(date(2026, 3, 9))
    assert not consent.in_force_on(date(2026, 3, 10))
    assert not consent.in_force_on(date(2026, 12, 1))


def test_consent_covers_its_purpose_and_recipient_kind_only() -> None:
    day = date(2026, 2, 1)
    consent = permission()
    assert consent.allows(SHARING, POLICE, day)
    assert not consent.allows(SHARING, RecipientKind.COURT, day)
    assert not consent.allows(ProcessingPurpose.PUBLICITY, POLICE, day)


def test_any_recipient_covers_every_kind_but_a_specific_kind_does_not_cover_any() -> None:
    day = date(2026, 2, 1)
    assert permission(recipient_kind=RecipientKind.ANY).allows(
        SHARING, RecipientKind.VOLUNTEER_TEAM, day
    )
    assert not permission().allows(SHARING, RecipientKind.ANY, day)


def test_check_answers_with_every_ground_in_force() -> None:
    day = date(2026, 5, 1)
    consent = Ground("consent", "c1", permission())
    revoked = Ground("consent", "c2", permission(revoked_on=date(2026, 4, 1)))
    duty = Ground(
        "legal_basis", "l1", permission(recipient_kind=RecipientKind.ANY),
        basis="statutory_duty", law="《未成年人保护法》第十一条",
    )  # fmt: skip
    other_purpose = Ground("consent", "c3", permission(purpose=ProcessingPurpose.PUBLICITY))
    grounds = [consent, revoked, duty, other_purpose]
    assert grounds_for(grounds, SHARING, POLICE, day) == [consent, duty]
    assert grounds_for(grounds, SHARING, RecipientKind.COURT, day) == [duty]
    assert grounds_for([consent, revoked], SHARING, RecipientKind.COURT, day) == []


def test_a_guardian_consent_needs_the_guardians_name_and_relation() -> None:
    found = errors(ConsentGrant, **(SELF_CONSENT | {"given_by": "guardian"}))
    assert set(found) == {"guardian_name", "guardian_relation"}
    assert "监护人代为同意时必填" in found["guardian_name"]
    given = ConsentGrant.model_validate(
        SELF_CONSENT
        | {"given_by": "guardian", "guardian_name": "李桂芳", "guardian_relation": "祖母"}
    )
    assert given.guardian_name == "李桂芳"


def test_a_persons_own_consent_names_no_guardian() -> None:
    found = errors(ConsentGrant, **(SELF_CONSENT | {"guardian_name": "李桂芳"}))
    assert "given_by is self" in found["guardian_name"]


def test_expiry_cannot_precede_the_start() -> None:
    found = errors(ConsentGrant, **(SELF_CONSENT | {"valid_until": "2025-12-31"}))
    assert "before valid_from 2026-01-01" in found["valid_until"]


def test_a_minor_cannot_consent_for_themself() -> None:
    grant = ConsentGrant.model_validate(SELF_CONSENT)
    today = date(2026, 3, 1)
    problem = giver_violation(grant, date(2010, 5, 1), today)
    assert problem is not None and "was 15 on 2026-01-01" in problem
    assert "须由监护人代为同意" in problem
    assert giver_violation(grant, date(2008, 1, 1), today) is None  # 18 on valid_from
    assert giver_violation(grant, date(2008, 1, 2), today) is not None
    assert giver_violation(grant, None, today) is None


def test_a_consent_starting_later_is_judged_on_the_day_it_was_given() -> None:
    grant = ConsentGrant.model_validate(SELF_CONSENT | {"valid_from": "2027-01-01"})
    assert giver_violation(grant, date(2008, 6, 1), date(2026, 3, 1)) is not None


def test_a_guardian_may_consent_for_a_minor() -> None:
    grant = ConsentGrant.model_validate(
        SELF_CONSENT
        | {"given_by": "guardian", "guardian_name": "李桂芳", "guardian_relation": "祖母"}
    )
    assert giver_violation(grant, date(2014, 6, 1), date(2026, 3, 1)) is None


def test_revocation_needs_a_reason_and_a_date_not_in_the_future() -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    found = errors(ConsentRevocation, revoked_on=tomorrow)
    assert "in the future" in found["revoked_on"] and "reason" in found
    assert ConsentRevocation.model_validate({"reason": "本人来电撤回"}).revoked_on == date.today()


def test_a_legal_basis_cites_its_law() -> None:
    with pytest.raises(ValidationError) as caught:
        LegalBasisEntry.model_validate(
            {"basis": "statutory_duty", "purpose": "case_services", "recipient_kind": "any"}
        )
    assert [error["loc"][0] for error in caught.value.errors()] == ["law"]


def test_consent_events_name_no_one() -> None:
    shared = {"person_id", "consent_id", "purpose", "recipient_kind", "valid_from", "valid_until"}
    assert set(ConsentGranted.model_fields) == shared
    assert set(ConsentRevoked.model_fields) == shared | {"revoked_on"}
