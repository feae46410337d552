"""A referral's closed loop (转介闭环): its states, who may move it where, its deadlines
and when a missed deadline goes up to the station head and then the district.

sent → accepted → done, or sent → declined (a declined referral may be re-sent to
another partner as a new referral); the referrer may withdraw it while it is sent or
accepted. Deadlines are counted in China's time, in China's working days: public
holidays are skipped and the weekends worked in their place (调休) count (``is_working_day``).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum

import chinese_calendar

from wushe.shared.events.referrals import DeadlineKind, EscalationLevel, Urgency

# China Standard Time all year (no daylight saving).
CHINA = timezone(timedelta(hours=8), "CST")


class Status(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DONE = "done"
    WITHDRAWN = "withdrawn"


class Move(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    COMPLETE = "complete"
    WITHDRAW = "withdraw"
    RESEND = "re-send"


# From which states each move is allowed, and where it leads. A re-sent referral stays
# declined: what is sent is a new referral that names it.
MOVES: dict[Move, tuple[frozenset[Status], Status]] = {
    Move.ACCEPT: (frozenset({Status.SENT}), Status.ACCEPTED),
    Move.DECLINE: (frozenset({Status.SENT}), Status.DECLINED),
    Move.COMPLETE: (frozenset({Status.ACCEPTED}), Status.DONE),
    Move.WITHDRAW: (frozenset({Status.SENT, Status.ACCEPTED}), Status.WITHDRAWN),
    Move.RESEND: (frozenset({Status.DECLINED}), Status.DECLINED),
}


class MoveRefused(ValueError):
    """A move the referral's state does not allow; the message names both."""


def move(status: Status, wanted: Move) -> Status:
    """The state after ``wanted``, or why ``status`` does not allow it."""
    allowed, after = MOVES[wanted]
    if status not in allowed:
        only = " or ".join(state.value for state in Status if state in allowed)
        article = "an" if only[0] in "aeiou" else "a"
        raise MoveRefused(
            f"referral is {status.value}; only {article} {only} referral can be {_done(wanted)}"
        )
    return after


def _done(wanted: Move) -> str:
    return {
        Move.ACCEPT: "accepted",
        Move.DECLINE: "declined",
        Move.COMPLETE: "completed",
        Move.WITHDRAW: "withdrawn",
        Move.RESEND: "re-sent",
    }[wanted]


def as_utc(instant: datetime) -> datetime:
    """In UTC; a naive time (SQLite keeps no offset) is taken to be UTC already."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """A span of time: hours on the clock, or whole working days."""

    hours: int = 0
    working_days: int = 0

    def after(self, start: datetime) -> datetime:
        if self.working_days:
            return as_utc(add_working_days(start, self.working_days))
        return as_utc(start + timedelta(hours=self.hours))

    def __str__(self) -> str:
        return f"{self.working_days} working days" if self.working_days else f"{self.hours} hours"


def is_working_day(day: date) -> bool:
    """A working day by the State Council's yearly holiday arrangement (国务院办公厅关于
    部分节假日安排的通知), as the ``chinesecalendar`` package records it: public holidays
    are off, and the Saturdays and Sundays worked in their place (调休) are working days.

    The package knows the years up to the latest arrangement published (2026 in its
    1.11 release) and raises ``NotImplementedError`` for a later year; such a year counts
    Monday to Friday until the package is updated with its arrangement."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """``days`` working days after ``start``, in China's time. Started on a day off, the
    count begins at midnight of the next working day, so a referral sent on Saturday or
    during a holiday gets full days."""
    local = start.astimezone(CHINA)
    while not is_working_day(local.date()):
        local = datetime.combine(local.date() + timedelta(days=1), time(), CHINA)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if is_working_day(local.date()):
            added += 1
    return local


@dataclass(frozen=True)
class Deadlines:
    respond: Window  # sent → accepted or declined
    district_after: Window  # a missed deadline goes from the station head to the district
    complete: Window  # accepted → done


DEADLINES: dict[Urgency, Deadlines] = {
    Urgency.EMERGENCY: Deadlines(Window(hours=2), Window(hours=2), Window(working_days=2)),
    Urgency.URGENT: Deadlines(Window(hours=24), Window(hours=24), Window(working_days=5)),
    Urgency.NORMAL: Deadlines(
        Window(working_days=3), Window(working_days=2), Window(working_days=15)
    ),
}


def respond_by(urgency: Urgency, sent_at: datetime) -> datetime:
    return DEADLINES[urgency].respond.after(sent_at)


def complete_by(urgency: Urgency, accepted_at: datetime) -> datetime:
    return DEADLINES[urgency].complete.after(accepted_at)


@dataclass(frozen=True)
class Clock:
    """The deadline a referral is running against now, and how far it has gone up."""

    urgency: Urgency
    status: Status
    respond_by: datetime
    complete_by: datetime | None
    escalated: EscalationLevel | None  # for the current deadline

    @property
    def deadline(self) -> tuple[DeadlineKind, datetime] | None:
        if self.status is Status.SENT:
            return DeadlineKind.RESPONSE, self.respond_by
        if self.status is Status.ACCEPTED and self.complete_by is not None:
            return DeadlineKind.COMPLETION, self.complete_by
        return None

    def overdue(self, now: datetime) -> bool:
        current = self.deadline
        return current is not None and as_utc(now) > as_utc(current[1])

    def district_at(self) -> datetime | None:
        current = self.deadline
        if current is None:
            return None
        return DEADLINES[self.urgency].district_after.after(as_utc(current[1]))

    def escalations_due(self, now: datetime) -> list[EscalationLevel]:
        """The levels to tell now, in order, leaving out those already told."""
        district_at = self.district_at()
        if district_at is None or not self.overdue(now):
            return []
        reached = [EscalationLevel.STATION]
        if as_utc(now) > district_at:
            reached.append(EscalationLevel.DISTRICT)
        told = LEVELS.index(self.escalated) + 1 if self.escalated else 0
        return [level for level in reached if LEVELS.index(level) >= told]


LEVELS: tuple[EscalationLevel, ...] = (EscalationLevel.STATION, EscalationLevel.DISTRICT)


def escalated_to(level: EscalationLevel, region_code: str) -> str:
    """The region of the station (township, 9 digits) or the district (6) over ``region_code``."""
    return region_code[:9] if level is EscalationLevel.STATION else region_code[:6]
