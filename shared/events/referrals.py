"""Events about referrals (转介) of a person to a partner agency, and their closed loop.

A referral shares only the person id, the region (the envelope's), the person's groups,
the urgency, the referrer and the reason for referral; the reason and every note about
the person (the legal basis's note, the decline reason, the outcome, the withdrawal
reason) travel sealed for the ledger's columns, never in clear. Keyed by the person.
"""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.consent import RecipientKind
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode


class Urgency(StrEnum):
    EMERGENCY = "emergency"  # 紧急: answer within hours
    URGENT = "urgent"  # 加急
    NORMAL = "normal"  # 一般


class StatutoryGround(StrEnum):
    """Why a referral may be shared without the person's consent."""

    # 强制报告: 《中华人民共和国未成年人保护法》第十一条
    CHILD_PROTECTION_MANDATORY_REPORT = "child_protection_mandatory_report"
    # 紧急情况下为保护自然人的生命健康: 《个人信息保护法》第十三条第一款第四项
    EMERGENCY_TO_PROTECT_LIFE_OR_HEALTH = "emergency_to_protect_life_or_health"
    # 法院、公安机关依法调取: 《个人信息保护法》第十三条第一款第三项
    COURT_OR_POLICE_REQUEST = "court_or_police_request"


class EscalationLevel(StrEnum):
    STATION = "station"  # 社工站站长
    DISTRICT = "district"  # 区县民政局


class DeadlineKind(StrEnum):
    RESPONSE = "response"  # the partner has not accepted or declined in time
    COMPLETION = "completion"  # the partner accepted but has not reported it done in time


@registry.register("referral.sent", version=1, topic=topics.LEDGER_FILE)
class ReferralSent(BaseModel):
    """A social worker referred a person to a partner agency (the referrer is the actor)."""

    referral_id: UUID
    person_id: UUID
    case_id: UUID | None = Field(None, description="The referrer's case, when there is one")
    partner_id: UUID = Field(description="The partner agency, as registered in notify")
    partner_kind: RecipientKind
    urgency: Urgency
    groups: list[str] = Field(description="The person's groups when it was sent")
    reason_sealed: str = Field(description="Reason for referral, encrypted for the ledger")
    respond_by: datetime = Field(description="When the partner must have accepted or declined")
    legal_basis: StatutoryGround | None = Field(
        None, description="Shared under this statutory ground; none: under the person's consent"
    )
    legal_basis_note_sealed: str | None = None
    resends: UUID | None = Field(None, description="The declined referral this one re-sends")


@registry.register("referral.accepted", version=1, topic=topics.LEDGER_FILE)
class ReferralAccepted(BaseModel):
    """The partner took the referral on (the partner's account is the actor)."""

    referral_id: UUID
    person_id: UUID
    partner_id: UUID
    complete_by: datetime = Field(description="When the partner should report it done")


@registry.register("referral.declined", version=1, topic=topics.LEDGER_FILE)
class ReferralDeclined(BaseModel):
    referral_id: UUID
    person_id: UUID
    partner_id: UUID
    reason_sealed: str


@registry.register("referral.completed", version=1, topic=topics.LEDGER_FILE)
class ReferralCompleted(BaseModel):
    """The partner reported the referral done, with what came of it."""

    referral_id: UUID
    person_id: UUID
    partner_id: UUID
    outcome_sealed: str


@registry.register("referral.withdrawn", version=1, topic=topics.LEDGER_FILE)
class ReferralWithdrawn(BaseModel):
    referral_id: UUID
    person_id: UUID
    partner_id: UUID
    reason_sealed: str


@registry.register("referral.escalated", version=1, topic=topics.LEDGER_FILE)
class ReferralEscalated(BaseModel):
    """A referral missed a deadline: the station head is told, later the district."""

    referral_id: UUID
    person_id: UUID
    partner_id: UUID
    deadline: DeadlineKind
    due_at: datetime = Field(description="The deadline that was missed")
    level: EscalationLevel
    escalated_to: RecordedRegionCode = Field(description="The station's or district's code")
    detected_at: datetime
