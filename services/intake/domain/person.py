"""The registration of a person in need (服务对象), as a station clerk enters it.

What the ID number says (birth date, sex) is derived from it and must agree with what
was entered; the groups must fit the person's age on the registration date.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from wushe.intake.domain.age_rules import CHILD_GROUPS, ELDERLY_GROUPS, age_violations
from wushe.intake.domain.group_profiles import profile_violations
from wushe.intake.domain.identity import ResidentId, Sex, decode_valid, validate_id_number
from wushe.intake.domain.membership import GroupMembershipEntry, as_entry
from wushe.intake.domain.phone import PhoneNumber
from wushe.intake.domain.profiles import PersonProfiles
from wushe.shared.events.groups import TargetGroup
from wushe.shared.regions import RegionCode

IdNumber = Annotated[str, AfterValidator(validate_id_number)]
MembershipEntry = Annotated[GroupMembershipEntry, BeforeValidator(as_entry)]
FullName = Annotated[str, Field(min_length=1, max_length=50, examples=["张秀英"])]
Address = Annotated[str, Field(min_length=2, max_length=200, examples=["凤凰街道滨湖南路8号"])]

__all__ = ["PersonRegistration", "TargetGroup"]


class PersonRegistration(BaseModel):
    """What a station enters to register a person."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    full_name: FullName
    id_number: IdNumber | None = Field(
        None,
        description="Resident ID number, 18 characters (15-digit old numbers are converted)",
        examples=["42070419500312002X"],
    )
    birth_date: date | None = Field(None, description="Derived from the ID number if omitted")
    sex: Sex | None = Field(None, description="Derived from the ID number if omitted")
    phone: PhoneNumber | None = Field(None, examples=["13800138000", "027-87654321"])
    address: Address | None = Field(None, description="Current address; stored encrypted")
    residence_region: RegionCode = Field(
        description="Current-residence division code (6, 9 or 12 digits)", examples=["420704"]
    )
    registered_on: date = Field(
        default_factory=date.today, description="Registration date; ages are computed on it"
    )
    groups: list[MembershipEntry] = Field(
        min_length=1,
        description="Group names, or entries with the date the membership starts and why",
        examples=[["elderly_living_alone"]],
    )
    profiles: PersonProfiles = Field(default_factory=PersonProfiles, validate_default=True)
    household_region: RegionCode | None = Field(
        None,
        validate_default=True,
        description="Household-registration (户籍) division code; may be unknown only for "
        "homeless people whose family is still being traced",
        examples=["420704"],
    )

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
    def _groups_fit_age(
        cls, entries: list[GroupMembershipEntry], info: ValidationInfo
    ) -> list[GroupMembershipEntry]:
        value = [entry.group for entry in entries]
        duplicated = sorted({g.value for g in value if value.count(g) > 1})
        if duplicated:
            raise ValueError(f"{', '.join(duplicated)} given twice (类别重复)")
        registered_on = info.data.get("registered_on") or date.today()
        early = [e.group.value for e in entries if e.since and e.since > registered_on]
        if early:
            raise ValueError(
                f"{', '.join(early)}: since is after the registration date "
                "(类别起始日期晚于登记日期)"
            )
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
            return entries
        problems = age_violations(value, birth_date, registered_on)
        if problems:
            raise ValueError("; ".join(problems))
        return entries

    @field_validator("profiles")
    @classmethod
    def _profiles_fit_groups(cls, value: PersonProfiles, info: ValidationInfo) -> PersonProfiles:
        entries = info.data.get("groups")
        if entries is not None:
            problems = profile_violations({entry.group for entry in entries}, value)
            if problems:
                raise ValueError("; ".join(problems))
        return value

    @field_validator("household_region")
    @classmethod
    def _household_known(cls, value: str | None, info: ValidationInfo) -> str | None:
        entries = info.data.get("groups") or []
        if value is None and all(entry.group is not TargetGroup.HOMELESS for entry in entries):
            raise ValueError(
                "required unless the person is homeless "
                "(户籍地区划代码必填，流浪乞讨人员寻亲期间除外)"
            )
        return value

    @property
    def target_groups(self) -> list[TargetGroup]:
        return [entry.group for entry in self.groups]

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
