"""When two registrations are likely the same person, and by which rule.

An ID number settles identity on its own (a second registration with it is refused), so
a pair where both have one is two people. Without one, a clerk decides; these rules
only choose which pairs to show the clerk, strongest first.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

VILLAGE_DIGITS = 12


class DuplicateRule(StrEnum):
    NAME_BIRTH_DATE_VILLAGE = "name_birth_date_village"  # 同名、同生日、同村
    PINYIN_BIRTH_DATE = "pinyin_birth_date"  # 同音、同生日
    PINYIN_RESIDENCE = "pinyin_residence"  # 同音、同住址区划，生日不详


class CandidateStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class PersonTraits:
    """What the rules compare; names as keyed hashes, never in clear."""

    name_index: str
    pinyin_index: str
    birth_date: date | None
    residence_region: str
    has_id_number: bool


def village(region_code: str) -> str:
    """The village a residence code lies in; a shorter code names only itself."""
    return region_code[:VILLAGE_DIGITS]


def duplicate_rule(first: PersonTraits, second: PersonTraits) -> DuplicateRule | None:
    """The strongest rule by which the two are likely one person, or None."""
    if first.has_id_number and second.has_id_number:
        return None
    if first.pinyin_index != second.pinyin_index:
        return None
    if first.birth_date is not None and second.birth_date is not None:
        if first.birth_date != second.birth_date:
            return None
        same_village = village(first.residence_region) == village(second.residence_region)
        if first.name_index == second.name_index and same_village:
            return DuplicateRule.NAME_BIRTH_DATE_VILLAGE
        return DuplicateRule.PINYIN_BIRTH_DATE
    if first.residence_region == second.residence_region:
        return DuplicateRule.PINYIN_RESIDENCE
    return None
