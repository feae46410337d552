"""Events intake publishes about people. None carries a name, ID number, phone or address."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode

AgeBand = Literal["0-5", "6-17", "18-59", "60-79", "80+"]


@registry.register("person.registered", version=1, topic=topics.PERSON)
class PersonRegistered(BaseModel):
    """A station registered a person in need."""

    person_id: UUID
    residence_region: RecordedRegionCode = Field(description="Current-residence division code")
    station_region: RecordedRegionCode = Field(description="The registering station's code")
    groups: list[str] = Field(default_factory=list, examples=[["elderly_living_alone"]])
    household_region: RecordedRegionCode | None = Field(
        None, description="Household-registration division code, when known"
    )
    sex: str | None = Field(None, pattern="^(male|female)$", examples=["female"])
    age_band: AgeBand | None = Field(None, description="Age band on the registration date")


@registry.register("person.updated", version=1, topic=topics.PERSON)
class PersonUpdated(BaseModel):
    """Some of a person's details changed; only the names of the fields are published."""

    person_id: UUID
    changed_fields: list[str] = Field(examples=[["phone", "address"]])


@registry.register("person.group_joined", version=1, topic=topics.PERSON)
class PersonGroupJoined(BaseModel):
    person_id: UUID
    group: str = Field(examples=["child_in_difficulty"])
    since: date
    groups: list[str] = Field(description="The person's groups after the change")


@registry.register("person.group_left", version=1, topic=topics.PERSON)
class PersonGroupLeft(BaseModel):
    person_id: UUID
    group: str
    until: date
    groups: list[str] = Field(description="The person's groups after the change")


@registry.register("person.relocated", version=1, topic=topics.PERSON)
class PersonRelocated(BaseModel):
    """The person moved: the file is handed over to the station of the new region."""

    person_id: UUID
    from_region: RecordedRegionCode
    to_region: RecordedRegionCode
    moved_on: date
    household_region: RecordedRegionCode | None = Field(
        None, description="Set when the household registration moved too"
    )


@registry.register("person.deceased", version=1, topic=topics.PERSON)
class PersonDeceased(BaseModel):
    person_id: UUID
    died_on: date
