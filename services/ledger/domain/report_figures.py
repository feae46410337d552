"""The figures the reports ask for (domain.md), and how regions and groups are summed.

People are counted once per category however many of the category's groups they are
in; a region's figures are summed over the codes inside it at the level asked for.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

Level = Literal["city", "district", "station", "village"]

# How many leading digits name a region at each level of the hierarchy.
LEVEL_DIGITS: dict[Level, int] = {"city": 4, "district": 6, "station": 9, "village": 12}


@dataclass(frozen=True)
class Category:
    key: str
    label: str  # as the bureaus' forms head the column
    groups_prefix: tuple[str, ...]


CATEGORIES = (
    Category("elderly", "老年人", ("elderly_",)),
    Category("children", "儿童", ("child_", "migrant_child")),
    Category("disabled", "残疾人", ("disabled",)),
    Category("mental_health", "严重精神障碍患者", ("severe_mental_disorder",)),
    Category("homeless", "流浪乞讨人员", ("homeless",)),
    Category("assistance", "低保、特困人员", ("subsistence_allowance", "extreme_poverty")),
)


def categories_of(groups: Iterable[str]) -> set[str]:
    return {
        category.key
        for category in CATEGORIES
        for group in groups
        if group.startswith(category.groups_prefix)
    }


def region_at(code: str, level: Level) -> str:
    """The code of the region at ``level`` that contains ``code`` (a city as 6 digits)."""
    digits = LEVEL_DIGITS[level]
    return code[:4] + "00" if level == "city" else code[:digits]


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(first, following - timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


# Charity's money and goods in fen (and the donations kept), summed over a period's days.
CHARITY_SUMS = ("donations", "raised_fen", "disbursed_fen", "goods_received_fen", "goods_given_fen")


@dataclass
class RegionFigures:
    """One region's figures over a period; ``people_*`` and the stations are as of the
    period's end."""

    region_code: str
    region_name: str
    people: int = 0
    people_by_category: dict[str, int] = field(default_factory=dict)
    newly_filed: int = 0
    visits_done: int = 0
    visits_overdue: int = 0
    cases_opened: int = 0
    cases_closed: int = 0
    activities: int = 0
    service_times: int = 0
    donations: int = 0  # kept: received less refunded
    raised_fen: int = 0
    disbursed_fen: int = 0
    goods_received_fen: int = 0
    goods_given_fen: int = 0
    townships: int = 0  # in force inside the region
    stations_built: int = 0  # as of the period's end
    stations_operating: int = 0

    @property
    def station_coverage_percent(self) -> float | None:
        """Townships with an operating station, of all townships in the region (覆盖率)."""
        if not self.townships:
            return None
        return round(100 * self.stations_operating / self.townships, 1)

    def add(self, other: "RegionFigures") -> None:
        for name in (
            "people", "newly_filed", "visits_done", "visits_overdue",
            "cases_opened", "cases_closed", "activities", "service_times",
            "stations_built", "stations_operating", *CHARITY_SUMS,
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, count in other.people_by_category.items():
            self.people_by_category[key] = self.people_by_category.get(key, 0) + count
