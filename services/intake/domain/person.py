"""The registration of a person in need (服务对象), as a station clerk enters it.

What the ID number says (birth date, sex) is derived from it and must agree with what
was entered; the groups must fit the person's age on the registration date.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from wushe.intake.domain.age_rules import CHILD_GROUPS, ELDERLY_GROUPS, age_violations
from wushe.intake.domain.groups import TargetGroup
from wushe.intake.domain.identity import ResidentId, Sex, decode_valid, validate_id_number
from wushe.intake.domain.phone import normalise_phone
from wushe.shared.regions import RegionCode

IdNumber = Annotated[str, AfterValidator(validate_id_number)]
PhoneNumber = Annotated[str, AfterValidator(normalise_phone)]

__all__ = ["PersonRegistration", "TargetGroup"]


class PersonRegistration(BaseModel):
    """What a station enters to register a person."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    full_name: str = Field(min_length=1, max_length=50, examples=["张秀英"])
    id_number: IdNumber | None = Field(
        None,
        description="Resident ID number, 18 characters (15-digit old numbers are converted)",
        examples=["42070419500312002X"],
    )
    birth_date: date | None = Field(None, description="Derived from the ID number if omitted")
    sex: Sex | None = Field(None, description="Derived from the ID number if omitted")
    phone: PhoneNumber | None = Field(None, examples=["13800138000", "027-87654321"])
    residence_region: RegionCode = Field(
        description="Current-residence division code (6, 9 or 12 digits)", examples=["420704"]
    )
    registered_on: date = Field(
        default_factory=date.today, description="Registration date; ages are computed on it"
    )
    groups: list[TargetGroup] = Field(min_length=1, examples=[["elderly_living_alone"]])

    @field_validator("birth_date", "sex")
    @classmethod
    def _agrees_with_id(cls, value: date | Sex | None, info: ValidationInfo) -> date | Sex | None:
        resident = _resident(info.data)
        if value is None or resident is None:
            return value
        derived = getattr(resident, str(info.field_name))
        if value != derived:
            raise ValueError(
                f"{_shown(value)} differs from the ID number's {_shown(derived)} "
                f"({_DISAGREEMENT[str(info.field_name)]})"
            )
        return value

    @field_validator("registered_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError(f"{value.isoformat()} is in the future (登记日期不能晚于今天)")
        return value

    @field_validator("groups")
    @classmethod
    def _groups_fit_age(cls, value: list[TargetGroup], info: ValidationInfo) -> list[TargetGroup]:
        resident = _resident(info.data)
        birth_date = info.data.get("birth_date") or (resident.birth_date if resident else None)
        registered_on = info.data.get("registered_on") or date.today()
        if birth_date is None:
            bound = [g.value for g in value if g in CHILD_GROUPS or g in ELDERLY_GROUPS]
            if bound:
                raise ValueError(
                    f"{', '.join(bound)} depend on age: give an ID number or a birth date "
                    "(儿童、老年人类别需提供身份证号或出生日期)"
                )
            return value
        problems = age_violations(value, birth_date, registered_on)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @model_validator(mode="after")
    def _derive_from_id(self) -> "PersonRegistration":
        if self.id_number:
            resident = decode_valid(self.id_number)
            self.birth_date = self.birth_date or resident.birth_date
            self.sex = self.sex or resident.sex
        return self


_DISAGREEMENT = {"birth_date": "出生日期与身份证号不一致", "sex": "性别与身份证号不一致"}


def _resident(data: dict[str, Any]) -> ResidentId | None:
    # An id_number in the validated data has passed every check: decoding is enough.
    number = data.get("id_number")
    return decode_valid(number) if number else None


def _shown(value: date | Sex) -> str:
    return value.value if isinstance(value, Sex) else value.isoformat()
