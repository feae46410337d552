"""Quiet hours and daily digests, on China's clock (UTC+8, no daylight saving)."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def parse_clock(value: str) -> time:
    return time.fromisoformat(value)


def clock_text(value: time) -> str:
    return value.strftime("%H:%M")


@dataclass(frozen=True)
class QuietHours:
    """From ``quiet_from`` to ``quiet_until``; a span that passes midnight wraps."""

    quiet_from: time
    quiet_until: time

    def contains(self, moment: datetime) -> bool:
        clock = moment.astimezone(CHINA).time()
        if self.quiet_from <= self.quiet_until:
            return self.quiet_from <= clock < self.quiet_until
        return clock >= self.quiet_from or clock < self.quiet_until

    def release(self, moment: datetime) -> datetime:
        """When an alert made at ``moment`` may go: at once, or when the quiet ends."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(CHINA)
        end = datetime.combine(local.date(), self.quiet_until, tzinfo=CHINA)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)


def latest_digest_time(digest_at: time, now: datetime) -> datetime:
    """The most recent moment, at or before ``now``, a daily digest at ``digest_at`` fell due."""
    local = now.astimezone(CHINA)
    due = datetime.combine(local.date(), digest_at, tzinfo=CHINA)
    if due > local:
        due -= timedelta(days=1)
    return due.astimezone(UTC)
