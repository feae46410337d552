"""The month a public statement covers, in China's time: a donation made at 07:00 on
the 1st in Beijing belongs to that month although it is still the previous day in UTC."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class StatementMonth:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "StatementMonth":
        """``YYYY-MM``; raises ValueError otherwise."""
        matched = _MONTH.fullmatch(text)
        if matched is None or int(matched[1]) < 2000:
            raise ValueError(f"{text!r} is not a month written YYYY-MM, e.g. 2026-09")
        return cls(int(matched[1]), int(matched[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def starts_at(self) -> datetime:
        """The first instant of the month, in UTC (the databases compare UTC times)."""
        return datetime(self.year, self.month, 1, tzinfo=CHINA).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """The first instant of the next month, in UTC."""
        following = StatementMonth(self.year + self.month // 12, self.month % 12 + 1)
        return following.starts_at
