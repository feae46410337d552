"""The delivery log: every attempt, and what it decides for the alert.

An attempt that succeeds delivers the alert; one that fails schedules the next after a
backoff, or, when it was the last of the retry budget, dead-letters the alert.
"""

import random
from datetime import datetime, timedelta

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.notify.adapters.orm import AlertRecord, DeliveryAttemptRecord
from wushe.notify.config import DeliverySettings
from wushe.notify.domain.backoff import retry_delay_seconds
from wushe.notify.domain.delivery import AlertStatus, Channel, DeliveryResult
from wushe.shared.metrics import ALERT_DELIVERIES

log = structlog.get_logger(__name__)


def next_state(
    alert: AlertRecord,
    result: DeliveryResult,
    now: datetime,
    settings: DeliverySettings,
    rng: random.Random,
) -> dict[str, object]:
    attempts = alert.attempts + 1
    values: dict[str, object] = {"attempts": attempts, "last_error": result.error}
    if result.ok:
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


async def record_attempt(
    sessions: async_sessionmaker[AsyncSession],
    alert: AlertRecord,
    channel: Channel,
    result: DeliveryResult,
    now: datetime,
    settings: DeliverySettings,
    rng: random.Random,
) -> None:
    values = next_state(alert, result, now, settings, rng)
    outcome = "delivered" if result.ok else "failed"
    async with sessions() as session, session.begin():
        session.add(
            DeliveryAttemptRecord(
                alert_id=alert.id,
                channel=channel.value,
                outcome=outcome,
                attempted_at=now,
                status_code=result.status_code,
                latency_ms=result.latency_ms,
                error=result.error,
            )
        )
        await session.execute(
            update(AlertRecord).where(AlertRecord.id == alert.id).values(**values)
        )
    status = str(values.get("status", "retry"))
    ALERT_DELIVERIES.labels(status).inc()
    log.info(
        "alert delivery attempt",
        alert_id=alert.id,
        partner_id=alert.partner_id,
        channel=channel.value,
        status_code=result.status_code,
        latency_ms=round(result.latency_ms, 1),
        outcome=status,
        error=result.error,
    )
