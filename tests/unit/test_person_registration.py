"""A registration is checked as a civil-affairs clerk would check it."""

from datetime import date

import pytest
from pydantic import ValidationError

from wushe.intake.domain.age_rules import age_on
from wushe.intake.domain.person import PersonRegistration

BASE = {
    "full_name": "张秀英",
    "residence_region": "420704",
    "household_region": "420704",
    "registered_on": "2026-11-01",
}


def errors(**fields: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        PersonRegistration.model_validate(BASE | fields)
    return {str(error["loc"][0]): error["msg"] for error in caught.value.errors()}


def test_birth_date_and_sex_are_derived_from_the_id_number() -> None:
    person = PersonRegistration.model_validate(
        BASE | {"id_number": "42070419500312002x", "groups": ["elderly_living_alone"]}
    )
    assert person.id_number == "42070419500312002X"
    assert person.birth_date == date(1950, 3, 12)
    assert person.sex == "female"


def test_entered_birth_date_must_match_the_id_number() -> None:
    found = errors(
        id_number="42070419500312002X", birth_date="1950-03-13", groups=["subsistence_allowance"]
    )
    assert "differs from the ID number's 1950-03-12" in found["birth_date"]


def test_entered_sex_must_match_the_id_number() -> None:
    found = errors(id_number="42070419500312002X", sex="male", groups=["subsistence_allowance"])
    assert "性别与身份证号不一致" in found["sex"]


def test_a_child_group_needs_someone_under_18_on_the_registration_date() -> None:
    found = errors(birth_date="2008-10-31", groups=["child_left_behind"])
    assert "under 18; this person is 18" in found["groups"]
    PersonRegistration.model_validate(
        BASE | {"birth_date": "2008-11-02", "groups": ["child_left_behind"]}
    )


def test_elderly_groups_need_60_and_advanced_age_80() -> None:
    assert "60 or over" in errors(birth_date="1970-01-01", groups=["elderly_empty_nest"])["groups"]
    found = errors(birth_date="1950-01-01", groups=["elderly_advanced_age"])
    assert "80 or over; this person is 76" in found["groups"]


def test_age_bound_groups_need_a_birth_date() -> None:
    assert "give an ID number or a birth date" in errors(groups=["child_orphan"])["groups"]
    disability = {"category": "visual", "grade": 1}
    PersonRegistration.model_validate(
        BASE
        | {"groups": ["subsistence_allowance", "disabled"], "profiles": {"disability": disability}}
    )


def test_registration_date_cannot_be_in_the_future() -> None:
    assert (
        "in the future"
        in errors(registered_on="2999-01-01", groups=["subsistence_allowance"])["registered_on"]
    )


def test_phone_is_checked_and_normalised() -> None:
    assert (
        "not a mobile number"
        in errors(phone="1380013800", groups=["subsistence_allowance"])["phone"]
    )
    person = PersonRegistration.model_validate(
        BASE | {"phone": "+86 138 0013 8000", "groups": ["subsistence_allowance"]}
    )
    assert person.phone == "13800138000"


def test_age_counts_whole_years_to_the_birthday() -> None:
    assert age_on(date(2008, 11, 2), date(2026, 11, 1)) == 17
    assert age_on(date(2008, 11, 1), date(2026, 11, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
