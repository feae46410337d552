"""The delivery log: every attempt, and what it decides for the alert.

An attempt that succeeds delivers the alert; one that fails schedules the next after a
backoff, or, when it was the last of the retry budget, dead-letters the alert.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.notify.adapters.orm import AlertRecord, DeliveryAttemptRecord
from wushe.notify.config import DeliverySettings
from wushe.notify.domain.backoff import retry_delay_seconds
from wushe.notify.domain.delivery import AlertStatus, Channel, DeliveryResult
from wushe.shared.metrics import ALERT_DELIVERIES
from wushe.shared.write_gate import writing

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Attempt:
    """One attempt at an alert: a call on each of the partner's channels it has not reached."""

    alert: AlertRecord
    results: list[tuple[Channel, DeliveryResult]]
    finished_at: datetime

    @property
    def ok(self) -> bool:
        return all(result.ok for _, result in self.results)


def next_state(
    attempt: Attempt, settings: DeliverySettings, rng: random.Random
) -> dict[str, object]:
    alert, now = attempt.alert, attempt.finished_at
    attempts = alert.attempts + 1
    reached = {*(alert.delivered_channels or []), *(c.value for c, r in attempt.results if r.ok)}
    failures = [f"{channel.value}: {r.error}" for channel, r in attempt.results if not r.ok]
    values: dict[str, object] = {
        "attempts": attempts,
        "delivered_channels": sorted(reached),
        "last_error": "; ".join(failures) or None,
    }
    if not failures:
        return values | {"status": AlertStatus.DELIVERED.value, "delivered_at": now}
    used = attempts - alert.attempts_before_redelivery
    if used >= settings.max_attempts:
        return values | {"status": AlertStatus.DEAD.value}
    delay = retry_delay_seconds(
        used,
        rng,
        base_seconds=settings.backoff_base_seconds,
        cap_seconds=settings.backoff_cap_seconds,
    )
    return values | {"next_attempt_at": now + timedelta(seconds=delay)}


async def record_attempts(
    sessions: async_sessionmaker[AsyncSession],
    attempts: list[Attempt],
    settings: DeliverySettings,
    rng: random.Random,
) -> None:
    """A round's attempts in one transaction: SQLite has one writer at a time, and a
    transaction per attempt would keep the event consumer waiting for the lock."""
    decided = [(attempt, next_state(attempt, settings, rng)) for attempt in attempts]
    log_rows = [
        {
            "alert_id": attempt.alert.id,
            "channel": channel.value,
            "outcome": "delivered" if result.ok else "failed",
            "attempted_at": attempt.finished_at,
            "status_code": result.status_code,
            "latency_ms": result.latency_ms,
            "error": result.error,
        }
        for attempt, _ in decided
        for channel, result in attempt.results
    ]
    # Bulk statements (ORM bulk UPDATE by primary key): a round costs a few statements,
    # not two per alert.
    async with writing(sessions) as session:
        await session.execute(insert(DeliveryAttemptRecord), log_rows)
        await session.execute(
            update(AlertRecord), [{"id": attempt.alert.id, **values} for attempt, values in decided]
        )
    for attempt, values in decided:
        _report(attempt, str(values.get("status", "retry")))


def _report(attempt: Attempt, outcome: str) -> None:
    ALERT_DELIVERIES.labels(outcome).inc()
    for channel, result in attempt.results:
        log.info(
            "alert delivery attempt",
            alert_id=attempt.alert.id,
            partner_id=attempt.alert.partner_id,
            channel=channel.value,
            status_code=result.status_code,
            latency_ms=round(result.latency_ms, 1),
            outcome=outcome,
            error=result.error,
        )
