"""Report periods and region levels for the figures of goods, needs and offers.

Days are China's (UTC+8): a movement at 23:30 on the last day of a month counts in
that month wherever the server runs.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

from wushe.charity.domain.refusals import Invalid

CHINA = timezone(timedelta(hours=8), "CST")

Level = Literal["city", "district", "station", "village"]
LEVEL_DIGITS: dict[str, int] = {"city": 4, "district": 6, "station": 9, "village": 12}


def region_at(code: str, level: Level) -> str:
    """The code of the region at ``level`` that contains ``code`` (a city as 6 digits)."""
    return code[:4] + "00" if level == "city" else code[: LEVEL_DIGITS[level]]


def china_today() -> date:
    return datetime.now(CHINA).date()


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def of(cls, month: str | None, start: date | None, end: date | None) -> "Period":
        """A month (2026-11), or a start and an end day; refused naming the field."""
        if month is not None:
            if start is not None or end is not None:
                raise Invalid("give either month or start and end, not both", field="month")
            year, number = (int(part) for part in month.split("-"))
            following = date(year + number // 12, number % 12 + 1, 1)
            return cls(date(year, number, 1), following - timedelta(days=1))
        if start is None or end is None:
            raise Invalid("give a month (2026-11), or both start and end", field="start")
        if end < start:
            raise Invalid(f"end {end} is before start {start}", field="end")
        return cls(start, end)

    @property
    def since(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.start, time(), CHINA).astimezone(UTC)

    @property
    def before(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time(), CHINA).astimezone(UTC)
