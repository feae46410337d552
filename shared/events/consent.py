"""Events about what a person's data may be used for and shared with (PIPL art. 13-14).

They say which purpose and which kind of recipient a consent covers, and from when to
when, so that a consumer can stop sharing the moment consent ends. Who gave the consent
(a guardian's name, relation) and the evidence stay in intake.
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.partner_kinds import RecipientKind
from wushe.shared.events.registry import registry

__all__ = ["ConsentGranted", "ConsentRevoked", "ProcessingPurpose", "RecipientKind"]


class ProcessingPurpose(StrEnum):
    CASE_SERVICES = "case_services"  # 个案服务
    DATA_SHARING_WITH_PARTNERS = "data_sharing_with_partners"  # 向合作单位提供
    VISIT_REMINDERS = "visit_reminders"  # 探访提醒
    CHARITY_MATCHING = "charity_matching"  # 慈善资源对接
    PUBLICITY = "publicity"  # 宣传报道


@registry.register("consent.granted", version=1, topic=topics.PERSON)
class ConsentGranted(BaseModel):
    """The person, or their guardian, consented to a use of their data."""

    person_id: UUID
    consent_id: UUID
    purpose: ProcessingPurpose
    recipient_kind: RecipientKind
    valid_from: date
    valid_until: date | None = Field(None, description="Last day it applies; none: open-ended")


@registry.register("consent.revoked", version=1, topic=topics.PERSON)
class ConsentRevoked(BaseModel):
    """A consent was withdrawn: from `revoked_on` the data may no longer be used for it."""

    person_id: UUID
    consent_id: UUID
    purpose: ProcessingPurpose
    recipient_kind: RecipientKind
    valid_from: date
    valid_until: date | None = None
    revoked_on: date
