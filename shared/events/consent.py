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
from wushe.shared.events.registry import registry


class ProcessingPurpose(StrEnum):
    CASE_SERVICES = "case_services"  # 个案服务
    DATA_SHARING_WITH_PARTNERS = "data_sharing_with_partners"  # 向合作单位提供
    VISIT_REMINDERS = "visit_reminders"  # 探访提醒
    CHARITY_MATCHING = "charity_matching"  # 慈善资源对接
    PUBLICITY = "publicity"  # 宣传报道


class RecipientKind(StrEnum):
    """The kinds of partner that may receive the data; ``any`` covers them all."""

    ANY = "any"
    CIVIL_AFFAIRS_BUREAU = "civil_affairs_bureau"  # 民政局
    STATION = "station"  # 社工站
    POLICE = "police"
    COURT = "court"
    PROCURATORATE = "procuratorate"
    HEALTH_COMMISSION = "health_commission"
    WOMENS_FEDERATION = "womens_federation"  # 妇联
    DISABLED_PERSONS_FEDERATION = "disabled_persons_federation"  # 残联
    SOCIAL_ORGANISATION = "social_organisation"  # 社会组织
    VOLUNTEER_TEAM = "volunteer_team"  # 志愿服务队
    ELDERLY_CARE_INSTITUTION = "elderly_care_institution"  # 养老机构
    CHILD_PROTECTION_STATION = "child_protection_station"  # 未保站
    HOSPITAL = "hospital"  # 医院


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
