"""Who is told about a missed visit, and when the next one up the chain is.

The chain runs volunteer team (志愿服务队) → community (社区/村委会) → station (社工站) →
street office (街道办/乡镇政府). The overdue visit itself goes to the volunteer team; each
further step (by default the person's own visit interval, or a configured number of
days) while the visit stays missed escalates it one level up.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class EscalationLevel(StrEnum):
    VOLUNTEER_TEAM = "volunteer_team"
    COMMUNITY = "community"
    STATION = "station"
    STREET_OFFICE = "street_office"


CHAIN: tuple[EscalationLevel, ...] = tuple(EscalationLevel)


@dataclass(frozen=True)
class EscalationPolicy:
    """``step_days`` None means one level per further visit interval of the person."""

    step_days: int | None = None

    def __post_init__(self) -> None:
        if self.step_days is not None and self.step_days < 1:
            raise ValueError(f"escalation step must be at least one day, not {self.step_days}")

    def rank_due(self, due_on: date, today: date, interval_days: int) -> int:
        """How far up the chain a visit due on ``due_on`` has gone by ``today``: 0 while
        not overdue, 1 once overdue (the volunteer team), up to ``len(CHAIN)``."""
        days_late = (today - due_on).days
        if days_late <= 0:
            return 0
        step = self.step_days or interval_days
        return min(len(CHAIN), 1 + days_late // step)


def level_of(rank: int) -> EscalationLevel:
    """The level that a rank (1-based, as returned by ``rank_due``) names."""
    return CHAIN[rank - 1]
