"""Which groups a person's age allows, on the day of registration."""

from datetime import date

from wushe.shared.events.groups import TargetGroup
from wushe.shared.events.intake import AgeBand

ADULT_AGE = 18
ELDERLY_AGE = 60
ADVANCED_AGE = 80  # 高龄

CHILD_GROUPS = frozenset(group for group in TargetGroup if group.value.startswith("child_"))
CHILD_GROUPS |= {TargetGroup.MIGRANT_CHILD}
ELDERLY_GROUPS = frozenset(group for group in TargetGroup if group.value.startswith("elderly_"))


def age_on(birth_date: date, day: date) -> int:
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def age_violations(groups: list[TargetGroup], birth_date: date, day: date) -> list[str]:
    """Reasons the age on ``day`` does not fit the chosen groups; empty when it does."""
    age = age_on(birth_date, day)
    problems = []
    for group in groups:
        if group in CHILD_GROUPS and age >= ADULT_AGE:
            problems.append(
                f"{group.value} is for children under {ADULT_AGE}; this person is {age} "
                f"(儿童类别须未满{ADULT_AGE}周岁)"
            )
        if group in ELDERLY_GROUPS and age < ELDERLY_AGE:
            problems.append(
                f"{group.value} is for people aged {ELDERLY_AGE} or over; this person is {age} "
                f"(老年人类别须年满{ELDERLY_AGE}周岁)"
            )
        if group is TargetGroup.ELDERLY_ADVANCED_AGE and age < ADVANCED_AGE:
            problems.append(
                f"{group.value} is for people aged {ADVANCED_AGE} or over; this person is {age} "
                f"(高龄老人须年满{ADVANCED_AGE}周岁)"
            )
    return problems


AGE_BANDS: tuple[tuple[int, AgeBand], ...] = (
    (0, "0-5"), (6, "6-17"), (18, "18-59"), (60, "60-79"), (80, "80+"),
)  # fmt: skip


def age_band(birth_date: date, day: date) -> AgeBand:
    """The band events carry instead of a birth date: enough to route, not to identify."""
    age = age_on(birth_date, day)
    return [label for lower, label in AGE_BANDS if age >= lower][-1]
