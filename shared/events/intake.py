"""Events intake publishes about people. None carries a name, ID number, phone or address
in clear: a child at risk's name and address travel sealed for notify (``name_sealed``,
``address_sealed``), which opens them only for partners whose agreements name them."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode

_NAME_SEALED = (
    "The name sealed with the deployment's field cipher under `partner_alert.name`, for "
    "notify to open for partners whose agreement names `name`; only for a child at risk "
    "(orphan, de facto unattended, parent imprisoned, left-behind, in difficulty)"
)
_ADDRESS_SEALED = (
    "The address, sealed like `name_sealed` under `partner_alert.address`; only for a "
    "child at risk whose address is known"
)


def _absent(value: object) -> bool:
    """Left out rather than null: notify counts a payload's keys as the personal fields
    an alert could carry, and most persons are not children at risk."""
    return value is None


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
    name_sealed: str | None = Field(None, description=_NAME_SEALED, exclude_if=_absent)
    address_sealed: str | None = Field(None, description=_ADDRESS_SEALED, exclude_if=_absent)


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
    name_sealed: str | None = Field(None, description=_NAME_SEALED, exclude_if=_absent)
    address_sealed: str | None = Field(None, description=_ADDRESS_SEALED, exclude_if=_absent)


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


@registry.register("person.merged", version=1, topic=topics.PERSON)
class PersonMerged(BaseModel):
    """A clerk found two files to be one person: the merged file is closed and points at
    the survivor, whose groups now include those it lacked.

    Keyed by the survivor. The survivor's later events, which take the merge for granted,
    then come after it on one partition, and its undo (`person.unmerged`, keyed the same)
    can never overtake it. The merged file accepts no change until the undo, so nothing
    follows on its own key; its earlier events travel on another partition and may reach
    a consumer after this one, which should therefore keep the redirect to the survivor
    rather than expect to have seen the merged person already.
    """

    survivor_id: UUID
    merged_id: UUID
    merge_id: UUID
    groups: list[str] = Field(description="The survivor's groups after the merge")


@registry.register("person.unmerged", version=1, topic=topics.PERSON)
class PersonUnmerged(BaseModel):
    """A merge was undone: the restored file is active again and the groups it brought
    to the survivor are taken back. Keyed by the survivor, like the merge it undoes; the
    restored person's later events are on its own key."""

    survivor_id: UUID
    restored_id: UUID
    merge_id: UUID
    groups: list[str] = Field(description="The survivor's groups after the undo")
    restored_groups: list[str] = Field(description="The restored person's groups")
