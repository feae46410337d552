"""Each target group's rules: the age it needs, the profile it needs, and what may be
entered about it."""

from datetime import date

import pytest
from pydantic import ValidationError

from wushe.intake.domain.age_rules import age_band
from wushe.intake.domain.person import PersonRegistration
from wushe.shared.events.groups import OFFICIAL_NAMES, TargetGroup
from wushe.shared.events.names import name_in

BASE = {
    "full_name": "李桂芳",
    "residence_region": "420704",
    "household_region": "420704",
    "registered_on": "2026-11-01",
}
HOMELESS = {"found_at": "鄂州火车站南广场", "found_on": "2026-10-30"}


def register(**fields: object) -> PersonRegistration:
    return PersonRegistration.model_validate(BASE | fields)


def refusal(**fields: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        register(**fields)
    return {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}


@pytest.mark.parametrize(
    "group",
    ["elderly_economic_difficulty", "elderly_disabled", "elderly_empty_nest",
     "elderly_left_behind", "elderly_living_alone"],
)  # fmt: skip
def test_every_elderly_group_needs_60_on_the_registration_date(group: str) -> None:
    register(birth_date="1966-11-01", groups=[group])
    assert (
        "aged 60 or over; this person is 59"
        in refusal(birth_date="1966-11-02", groups=[group])["groups"]
    )


@pytest.mark.parametrize(
    "group",
    ["child_left_behind", "child_orphan", "child_unattended", "child_in_difficulty",
     "child_parent_imprisoned", "migrant_child"],
)  # fmt: skip
def test_every_child_group_needs_someone_under_18(group: str) -> None:
    register(birth_date="2008-11-02", groups=[group])
    assert "under 18" in refusal(birth_date="2008-11-01", groups=[group])["groups"]


def test_the_elderly_profile_takes_only_the_listed_situations() -> None:
    person = register(
        birth_date="1940-05-01",
        groups=["elderly_living_alone", "elderly_advanced_age"],
        profiles={"elderly": {"economic_source": "pension", "family_structure": "living_alone",
                              "health": "chronic_illness", "care_situation": "no_care"}},
    )  # fmt: skip
    assert (
        person.profiles.elderly is not None and person.profiles.elderly.care_situation == "no_care"
    )
    assert "profiles.elderly.health" in refusal(
        birth_date="1940-05-01", groups=["elderly_living_alone"],
        profiles={"elderly": {"health": "excellent"}},
    )  # fmt: skip


def test_a_child_profile_records_guardian_parents_and_school() -> None:
    person = register(
        birth_date="2015-03-01",
        groups=["child_left_behind"],
        profiles={"child": {"guardian_name": "李奶奶", "guardian_relation": "祖母",
                            "guardian_phone": "139-1234-5678", "father_status": "working_away",
                            "mother_status": "working_away", "school": "凤凰小学",
                            "grade": "五年级"}},
    )  # fmt: skip
    assert person.profiles.child is not None
    assert person.profiles.child.guardian_phone == "13912345678"
    found = refusal(birth_date="2015-03-01", groups=["child_left_behind"],
                    profiles={"child": {"guardian_phone": "12"}})  # fmt: skip
    assert "profiles.child.guardian_phone" in found


@pytest.mark.parametrize("group", ["disabled", "child_disabled"])
def test_disabled_people_need_category_and_a_grade_from_1_to_4(group: str) -> None:
    birth = "2016-01-01" if group == "child_disabled" else "1980-01-01"
    assert (
        "profiles.disability is required" in refusal(birth_date=birth, groups=[group])["profiles"]
    )
    for grade in (0, 5):
        profile = {"category": "physical", "grade": grade}
        found = refusal(birth_date=birth, groups=[group], profiles={"disability": profile})
        assert "profiles.disability.grade" in found
    profile = {"category": "intellectual", "grade": 2, "certificate_number": "42070419800101003X42"}
    person = register(birth_date=birth, groups=[group], profiles={"disability": profile})
    assert person.profiles.disability is not None and person.profiles.disability.grade == 2


def test_severe_mental_disorder_needs_a_risk_level_from_0_to_5() -> None:
    assert "profiles.mental_health" in refusal(groups=["severe_mental_disorder"])["profiles"]
    assert "profiles.mental_health.risk_level" in refusal(
        groups=["severe_mental_disorder"], profiles={"mental_health": {"risk_level": 6}}
    )
    register(groups=["severe_mental_disorder"],
             profiles={"mental_health": {"risk_level": 3, "guardian_name": "王强"}})  # fmt: skip


def test_homeless_people_need_where_and_when_found_and_may_lack_a_household_region() -> None:
    assert "profiles.homeless is required" in refusal(groups=["homeless"])["profiles"]
    person = PersonRegistration.model_validate(
        {"full_name": "无名氏", "residence_region": "420704", "groups": ["homeless"],
         "profiles": {"homeless": HOMELESS | {"family_tracing": "in_progress"}}}
    )  # fmt: skip
    assert person.household_region is None
    assert person.profiles.homeless is not None
    assert person.profiles.homeless.family_tracing == "in_progress"


def test_everyone_else_needs_a_household_region() -> None:
    with pytest.raises(ValidationError) as caught:
        PersonRegistration.model_validate(
            {"full_name": "赵六", "residence_region": "420704", "groups": ["extreme_poverty"]}
        )
    assert caught.value.errors()[0]["loc"] == ("household_region",)
    assert "户籍地" in caught.value.errors()[0]["msg"]


def test_assistance_amounts_are_whole_fen() -> None:
    person = register(groups=["subsistence_allowance"],
                      profiles={"assistance": {"monthly_allowance_fen": 68000}})  # fmt: skip
    assert person.profiles.assistance is not None
    assert person.profiles.assistance.monthly_allowance_fen == 68000
    found = refusal(groups=["extreme_poverty"],
                    profiles={"assistance": {"monthly_allowance_fen": 680.5}})  # fmt: skip
    assert "profiles.assistance.monthly_allowance_fen" in found


def test_a_profile_needs_one_of_its_groups() -> None:
    found = refusal(groups=["subsistence_allowance"], profiles={"homeless": HOMELESS})
    assert "profiles.homeless given but the person is in none of its groups" in found["profiles"]


def test_memberships_carry_a_start_date_and_a_reason() -> None:
    person = register(
        birth_date="1950-01-01",
        groups=["elderly_empty_nest",
                {"group": "subsistence_allowance", "since": "2024-03-01", "reason": "民政局认定"}],
    )  # fmt: skip
    assert [entry.group for entry in person.groups] == [
        "elderly_empty_nest",
        "subsistence_allowance",
    ]
    assert person.groups[1].since == date(2024, 3, 1) and person.groups[1].reason == "民政局认定"
    assert (
        "given twice"
        in refusal(groups=["homeless", "homeless"], profiles={"homeless": HOMELESS})["groups"]
    )
    late = refusal(groups=[{"group": "subsistence_allowance", "since": "2026-11-02"}])
    assert "after the registration date" in late["groups"]


def test_events_carry_an_age_band_not_a_birth_date() -> None:
    day = date(2026, 11, 1)
    assert age_band(date(2021, 11, 2), day) == "0-5"
    assert age_band(date(2008, 11, 2), day) == "6-17"
    assert age_band(date(2008, 11, 1), day) == "18-59"
    assert age_band(date(1966, 11, 1), day) == "60-79"
    assert age_band(date(1946, 11, 1), day) == "80+"


def test_every_group_has_its_official_name() -> None:
    assert {name_in(OFFICIAL_NAMES, group) for group in TargetGroup} == set(OFFICIAL_NAMES.values())
    assert len(OFFICIAL_NAMES) == len(TargetGroup)
    assert name_in(OFFICIAL_NAMES, "a_group_added_later") == "a_group_added_later"
