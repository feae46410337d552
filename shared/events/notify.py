"""Events notify publishes about the alerts it sends about a person.

They say that a partner was alerted, by which rule and through which channels, and which
of the person's fields the alert shared: by name, never their values. A partner appears
by its kind only; its contacts stay in notify.
"""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.partner_kinds import PartnerKind
from wushe.shared.events.registry import registry


class AlertChannel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    SMS = "sms"


class AlertDelivery(StrEnum):
    IMMEDIATE = "immediate"
    HELD = "held"  # until the partner's quiet hours end
    DIGEST = "digest"  # gathered into the partner's daily digest


@registry.register("alert.raised", version=1, topic=topics.NOTIFY_ALERT)
class AlertRaised(BaseModel):
    """A partner was alerted about a person (the event's subject)."""

    alert_id: UUID
    person_id: UUID
    rule: str = Field(examples=["crisis_reported", "visit_overdue"])
    reason: str = Field(description="Why the partner was told: the rule's reason or escalation")
    event_type: str = Field(description="The event alerted about", examples=["crisis.reported"])
    event_id: UUID
    partner_kind: PartnerKind
    channels: list[AlertChannel] = Field(description="Where the alert is sent")
    delivery: AlertDelivery
    send_at: datetime | None = Field(
        None, description="When it is sent (after quiet hours when held); none in a digest"
    )
    urgent: bool
    fields_shared: list[str] = Field(
        default_factory=list, description="Names of the person's fields the alert shared"
    )
    escalation_of: UUID | None = Field(None, description="The unacknowledged alert it escalates")


@registry.register("alert.acknowledged", version=1, topic=topics.NOTIFY_ALERT)
class AlertAcknowledged(BaseModel):
    """The partner confirmed it received an alert about a person (the event's subject)."""

    alert_id: UUID
    person_id: UUID
    partner_kind: PartnerKind
    acknowledged_at: datetime
