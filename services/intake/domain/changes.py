"""What a station may change about a registered person, each with its reason."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from wushe.intake.domain.identity import validate_id_number
from wushe.intake.domain.phone import PhoneNumber
from wushe.intake.domain.profiles import PersonProfiles
from wushe.shared.events.groups import TargetGroup
from wushe.shared.regions import RegionCode

Reason = Annotated[str, Field(min_length=2, max_length=200, examples=["本人来电更正"])]


def _not_in_future(value: date) -> date:
    if value > date.today():
        raise ValueError(f"{value.isoformat()} is in the future (日期不能晚于今天)")
    return value


PastDate = Annotated[date, AfterValidator(_not_in_future)]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PersonUpdate(_Change):
    """Fields to change; a field sent as null is cleared, a field left out is kept."""

    full_name: str | None = Field(None, min_length=1, max_length=50)
    id_number: Annotated[str, AfterValidator(validate_id_number)] | None = Field(
        None, description="Only for a person registered without one; it cannot be changed"
    )
    phone: PhoneNumber | None = None
    address: str | None = Field(None, min_length=2, max_length=200)
    household_region: RegionCode | None = None
    profiles: PersonProfiles | None = Field(None, description="Replaces the stored profiles")
    reason: Reason

    @field_validator("full_name")
    @classmethod
    def _name_kept(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("a name cannot be cleared (姓名不能为空)")
        return value

    def changed_fields(self) -> list[str]:
        return sorted(self.model_fields_set - {"reason"})


class GroupJoin(_Change):
    group: TargetGroup
    since: PastDate = Field(default_factory=date.today)
    reason: Reason
    profiles: PersonProfiles | None = Field(
        None, description="Profiles the new group needs, merged into the stored ones"
    )


class GroupLeave(_Change):
    until: PastDate = Field(default_factory=date.today)
    reason: Reason


class Relocation(_Change):
    """A move to another region: the receiving station takes over the file."""

    to_region: RegionCode = Field(description="New current-residence division code")
    moved_on: PastDate = Field(default_factory=date.today)
    address: str | None = Field(None, min_length=2, max_length=200)
    household_region: RegionCode | None = Field(
        None, description="When the household registration moved too"
    )
    reason: Reason


class DeathReport(_Change):
    died_on: PastDate
    reason: Reason = Field(description="Who reported the death, or the certificate seen")
