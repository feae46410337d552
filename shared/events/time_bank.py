"""Events of the volunteers' time bank (时间银行): hours earned, given and spent.

Keyed by the account the hours move on: a volunteer's id (their token subject), or
``pool:<region code>`` for a community's pool of donated hours. Minutes are exact
integers; events carry ids only, never names nor what a volunteer wrote.
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.events.visits import ServiceKind
from wushe.shared.regions import RecordedRegionCode

VOLUNTEER_ID = Field(max_length=100, description="The volunteer's id (their token subject)")


class Beneficiary(StrEnum):
    """Whom hours were spent on."""

    SELF = "self"
    FAMILY = "family"
    PERSON_IN_NEED = "person_in_need"


@registry.register("hours.credited", version=1, topic=topics.CHARITY_TIME_BANK)
class HoursCredited(BaseModel):
    """A volunteer earned minutes for a visit or service the ledger recorded as theirs."""

    entry_id: UUID
    volunteer_id: str = VOLUNTEER_ID
    minutes: int = Field(ge=1)
    defaulted: bool = Field(description="The ledger gave no duration: the default was credited")
    served_on: date
    region_code: RecordedRegionCode = Field(description="Where the work was done")
    source_event_id: UUID = Field(description="The ledger's visit.recorded or service.recorded")
    source_event_type: str = Field(examples=["service.recorded"])
    source_id: UUID = Field(description="The ledger's visit or service id")


@registry.register("hours.logged", version=1, topic=topics.CHARITY_TIME_BANK)
class HoursLogged(BaseModel):
    """A volunteer logged hours of their own for the station to confirm."""

    log_id: UUID
    volunteer_id: str = VOLUNTEER_ID
    minutes: int = Field(ge=1)
    served_on: date
    region_code: RecordedRegionCode = Field(description="The station that confirms them")


@registry.register("hours.confirmed", version=1, topic=topics.CHARITY_TIME_BANK)
class HoursConfirmed(BaseModel):
    """The station confirmed logged hours; they count from now on."""

    log_id: UUID
    entry_id: UUID
    volunteer_id: str = VOLUNTEER_ID
    minutes: int = Field(ge=1)
    served_on: date
    region_code: RecordedRegionCode


@registry.register("hours.rejected", version=1, topic=topics.CHARITY_TIME_BANK)
class HoursRejected(BaseModel):
    """The station rejected logged hours (its reason stays in charity); they never count."""

    log_id: UUID
    volunteer_id: str = VOLUNTEER_ID
    minutes: int = Field(ge=1)
    region_code: RecordedRegionCode


@registry.register("hours.donated", version=1, topic=topics.CHARITY_TIME_BANK)
class HoursDonated(BaseModel):
    """A volunteer gave minutes to another volunteer or to a community's pool."""

    transfer_id: UUID
    from_volunteer_id: str = VOLUNTEER_ID
    to_volunteer_id: str | None = Field(None, max_length=100)
    to_pool_region: RecordedRegionCode | None = None
    minutes: int = Field(ge=1)
    region_code: RecordedRegionCode = Field(description="The giver's account region")


@registry.register("hours.spent", version=1, topic=topics.CHARITY_TIME_BANK)
class HoursSpent(BaseModel):
    """The station recorded a service paid for with a volunteer's (or a pool's) minutes."""

    entry_id: UUID
    volunteer_id: str | None = Field(None, max_length=100)
    pool_region: RecordedRegionCode | None = None
    minutes: int = Field(ge=1)
    service_kind: ServiceKind
    beneficiary: Beneficiary
    person_id: UUID | None = Field(None, description="The person in need served, by id")
    spent_on: date
    region_code: RecordedRegionCode = Field(description="Where the service was given")


@registry.register("hours.reversed", version=1, topic=topics.CHARITY_TIME_BANK)
class HoursReversed(BaseModel):
    """A credit, confirmation or spending was corrected by an entry that cancels it."""

    entry_id: UUID
    reversed_entry_id: UUID
    volunteer_id: str | None = Field(None, max_length=100)
    pool_region: RecordedRegionCode | None = None
    minutes: int = Field(description="Signed: minus for a credit taken back, plus for a refund")
    region_code: RecordedRegionCode
