"""Events of needs and offers (点单/接单): stations post needs, organisations take them.

Each step of a need is keyed by the need id, so that its steps stay in order; every
payload carries what notify routes on (kind, region, deadline) and the person's ledger
file by id when the need is a person's, never a name or free text about them.
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.events.visits import SERVICE_KIND_NAMES
from wushe.shared.regions import RecordedRegionCode


class NeedKind(StrEnum):
    """What a need asks for: a service the texts list (the codes of ``ServiceKind``), or
    goods, money or volunteers' help."""

    HOME_VISIT = "home_visit"
    PSYCHOLOGICAL_COMFORT = "psychological_comfort"
    CRISIS_INTERVENTION = "crisis_intervention"
    POLICY_CONSULTATION = "policy_consultation"
    DAILY_CARE = "daily_care"
    SHOPPING_AND_MEALS = "shopping_and_meals"
    SAFETY_EDUCATION = "safety_education"
    TUTORING = "tutoring"
    COUNSELLING = "counselling"
    SOCIAL_INTEGRATION = "social_integration"
    SOCIAL_SUPPORT = "social_support"
    REHABILITATION = "rehabilitation"
    PARENTING_GUIDANCE = "parenting_guidance"
    SKILLS_TRAINING = "skills_training"
    FAMILY_TRACING = "family_tracing"
    JOB_GUIDANCE = "job_guidance"
    CHARITY_RELIEF = "charity_relief"
    GOODS = "goods"
    FUNDS = "funds"
    VOLUNTEERS = "volunteers"


NEED_KIND_NAMES: dict[str, str] = {
    **SERVICE_KIND_NAMES,
    NeedKind.GOODS: "物资捐赠",
    NeedKind.FUNDS: "资金资助",
    NeedKind.VOLUNTEERS: "志愿服务",
}


@registry.register("offer.posted", version=1, topic=topics.CHARITY_NEED)
class OfferPosted(BaseModel):
    """An organisation posted what it can provide (供给清单); keyed by the offer id."""

    offer_id: UUID
    partner_id: str = Field(description="The organisation, as notify's registry knows it")
    kinds: list[NeedKind] = Field(min_length=1)
    regions: list[RecordedRegionCode] = Field(min_length=1, description="Regions it covers")
    capacity: int = Field(ge=1, description="Needs it can carry at once")


@registry.register("offer.withdrawn", version=1, topic=topics.CHARITY_NEED)
class OfferWithdrawn(BaseModel):
    """The organisation withdrew its offer: no new needs count against it."""

    offer_id: UUID
    partner_id: str


class NeedFacts(BaseModel):
    """What every step of a need carries."""

    need_id: UUID
    kind: NeedKind
    quantity: int = Field(ge=1)
    region_code: RecordedRegionCode = Field(description="Where the need is")
    deadline: date
    person_id: UUID | None = Field(None, description="The person's ledger file, if any")


@registry.register("need.posted", version=1, topic=topics.CHARITY_NEED)
class NeedPosted(NeedFacts):
    """A station posted a need (点单), for a person or for the community."""


@registry.register("need.taken", version=1, topic=topics.CHARITY_NEED)
class NeedTaken(NeedFacts):
    """An organisation took the need (接单); no one else can take it now."""

    partner_id: str
    offer_id: UUID


@registry.register("need.fulfilled", version=1, topic=topics.CHARITY_NEED)
class NeedFulfilled(NeedFacts):
    """The organisation that took the need says it is fulfilled; the station confirms."""

    partner_id: str


@registry.register("need.fulfilment_rejected", version=1, topic=topics.CHARITY_NEED)
class NeedFulfilmentRejected(NeedFacts):
    """The station found the fulfilment wanting: the need is the organisation's again.
    The reason stays in charity."""

    partner_id: str


@registry.register("need.confirmed", version=1, topic=topics.CHARITY_NEED)
class NeedConfirmed(NeedFacts):
    """The station confirmed the need was met."""

    partner_id: str


@registry.register("need.cancelled", version=1, topic=topics.CHARITY_NEED)
class NeedCancelled(NeedFacts):
    """The station withdrew the need; ``partner_id`` is whoever had taken it."""

    partner_id: str | None = None
