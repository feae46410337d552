"""What a referral looks like to its readers: its state, deadlines and whole history."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from wushe.ledger.adapters.referral_orm import ReferralRecord, ReferralStepRecord
from wushe.ledger.domain.referrals import MOVES, Move, Status, as_utc
from wushe.ledger.service_layer import referrals as commands
from wushe.ledger.service_layer.referral_escalation import clock_of
from wushe.shared.events.consent import RecipientKind
from wushe.shared.events.referrals import DeadlineKind, StatutoryGround, Urgency
from wushe.shared.field_encryption import FieldCipher


class ReferralRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person_id: UUID = Field(description="The person referred (their file in the ledger)")
    partner_id: UUID = Field(description="The partner agency, as registered in notify")
    partner_kind: RecipientKind = Field(description="Kind of partner; consent is checked for it")
    urgency: Urgency = Field(description="emergency: answer in 2 hours; urgent: 24 hours; "
                             "normal: 3 working days")  # fmt: skip
    reason: str = Field(
        min_length=2, max_length=2000, description="Why the person is referred; stored sealed",
        examples=["独居老人近期跌倒两次，需要康复评估与居家照护"],
    )  # fmt: skip
    case_id: UUID | None = Field(None, description="The referrer's case, if any")
    legal_basis: StatutoryGround | None = Field(
        None, description="Share without consent on this ground (recorded on the referral)"
    )
    legal_basis_note: str | None = Field(
        None, min_length=2, max_length=2000, description="Why the ground applies; stored sealed"
    )
    resends: UUID | None = Field(None, description="A declined referral this one re-sends")

    def command(self) -> commands.NewReferral:
        return commands.NewReferral(
            person_id=str(self.person_id),
            partner_id=self.partner_id,
            partner_kind=self.partner_kind,
            urgency=self.urgency,
            reason=self.reason,
            case_id=self.case_id,
            legal_basis=self.legal_basis,
            legal_basis_note=self.legal_basis_note,
            resends=self.resends,
        )


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=2, max_length=2000, description="Stored sealed")


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: str = Field(min_length=2, max_length=2000, description="What came of it; sealed")


class Step(BaseModel):
    event_id: UUID
    event_type: str = Field(examples=["referral.accepted"])
    status: str = Field(description="The referral's status after this step")
    occurred_at: datetime
    actor: str | None
    trace_id: str | None
    details: dict[str, object] = Field(description="What the event said, sealed texts left out")

    @classmethod
    def of(cls, step: ReferralStepRecord) -> "Step":
        return cls(
            event_id=UUID(step.event_id), event_type=step.event_type, status=step.status,
            occurred_at=as_utc(step.occurred_at), actor=step.actor, trace_id=step.trace_id,
            details=step.details,
        )  # fmt: skip


class Deadline(BaseModel):
    kind: DeadlineKind = Field(description="response: accept or decline; completion: done")
    due_at: datetime
    overdue: bool
    escalated: str | None = Field(description="Highest level told so far: station, district")
    district_at: datetime | None = Field(description="When it goes to the district if still late")


class ReferralView(BaseModel):
    referral_id: UUID
    person_id: UUID
    case_id: UUID | None
    partner_id: UUID
    partner_kind: str
    urgency: str
    status: str = Field(description="sent, accepted, declined, done or withdrawn")
    next_moves: list[str] = Field(description="Moves the status allows now")
    region_code: str = Field(description="The file's region when the referral was sent")
    groups: list[str]
    referred_by: str | None
    shared_under: str = Field(description="consent, or the statutory ground named")
    reason: str | None = Field(description="Shown to staff and to the partner addressed")
    legal_basis_note: str | None
    sent_at: datetime
    respond_by: datetime
    responded_at: datetime | None
    complete_by: datetime | None
    closed_at: datetime | None
    overdue: bool = Field(description="Running late against the deadline now in force")
    deadline: Deadline | None = Field(description="The deadline in force; none once closed")
    decline_reason: str | None
    outcome: str | None
    withdrawal_reason: str | None
    resends: UUID | None
    resent_as: UUID | None
    history: list[Step]


def referral_view(
    referral: ReferralRecord,
    steps: list[ReferralStepRecord],
    *,
    cipher: FieldCipher | None,
    now: datetime,
) -> ReferralView:
    """``cipher`` None: the reader may not see the sealed texts."""

    def opened(sealed: str | None, column: str) -> str | None:
        return cipher.decrypt(sealed, column) if cipher is not None and sealed else None

    clock = clock_of(referral)
    current = clock.deadline
    deadline = (
        Deadline(kind=current[0], due_at=as_utc(current[1]), overdue=clock.overdue(now),
                 escalated=referral.escalated, district_at=clock.district_at())
        if current is not None
        else None
    )  # fmt: skip
    status = Status(referral.status)
    return ReferralView(
        referral_id=UUID(referral.id), person_id=UUID(referral.person_id),
        case_id=UUID(referral.case_id) if referral.case_id else None,
        partner_id=UUID(referral.partner_id), partner_kind=referral.partner_kind,
        urgency=referral.urgency, status=status.value,
        next_moves=_next_moves(referral, status),
        region_code=referral.region_code, groups=referral.groups,
        referred_by=referral.referred_by, shared_under=referral.legal_basis or "consent",
        reason=opened(referral.reason, commands.REASON_COLUMN),
        legal_basis_note=opened(referral.legal_basis_note, commands.LEGAL_BASIS_NOTE_COLUMN),
        sent_at=as_utc(referral.sent_at), respond_by=as_utc(referral.respond_by),
        responded_at=_utc(referral.responded_at), complete_by=_utc(referral.complete_by),
        closed_at=_utc(referral.closed_at), overdue=clock.overdue(now), deadline=deadline,
        decline_reason=opened(referral.decline_reason, commands.DECLINE_REASON_COLUMN),
        outcome=opened(referral.outcome, commands.OUTCOME_COLUMN),
        withdrawal_reason=opened(referral.withdrawal_reason, commands.WITHDRAWAL_REASON_COLUMN),
        resends=UUID(referral.resends) if referral.resends else None,
        resent_as=UUID(referral.resent_as) if referral.resent_as else None,
        history=[Step.of(step) for step in steps],
    )  # fmt: skip


def _next_moves(referral: ReferralRecord, status: Status) -> list[str]:
    allowed = [move for move, (before, _) in MOVES.items() if status in before]
    return [move.value for move in allowed if not (move is Move.RESEND and referral.resent_as)]


def _utc(instant: datetime | None) -> datetime | None:
    return as_utc(instant) if instant is not None else None


class ReferralPage(BaseModel):
    items: list[ReferralView]
    total: int
    limit: int
    offset: int


class EscalationCheck(BaseModel):
    as_of: datetime
    escalated: list[dict[str, str]] = Field(description="Each referral and the level it reached")
