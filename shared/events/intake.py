"""Events intake publishes about people it registers."""

from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RegionCode


@registry.register("person.registered", version=1, topic=topics.PERSON)
class PersonRegistered(BaseModel):
    """A station registered a person in need. Carries no name, ID number or phone."""

    person_id: UUID
    residence_region: RegionCode = Field(description="Current-residence division code")
    station_region: RegionCode = Field(description="Division code of the registering station")
    groups: list[str] = Field(default_factory=list, examples=[["elderly_living_alone"]])
