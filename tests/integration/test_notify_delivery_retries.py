"""Delivery to a real HTTP receiver on SQLite and PostgreSQL: retries end in exactly one
delivery by idempotency key, the last failed attempt dead-letters the alert, a
redelivery brings it back, and the log shows every attempt."""

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import select

from integration.conftest import MigratedDatabase
from integration.notify_outbound import (
    MIGRATIONS,
    Clock,
    Sessions,
    add_alert,
    add_partner,
    alert,
    cipher,
)
from support.webhook_receivers import Receiver, start
from wushe.notify.adapters.orm import DeliveryAttemptRecord
from wushe.notify.config import DeliverySettings
from wushe.notify.service_layer.alert_actions import redeliver
from wushe.notify.service_layer.channels import Senders, open_senders
from wushe.notify.service_layer.delivery import DeliveryWorker

SETTINGS = DeliverySettings(max_attempts=4, timeout_seconds=5)


@pytest.fixture
async def sessions(migrated_database: MigratedDatabase) -> Sessions:
    return await migrated_database("notify", MIGRATIONS)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = start(Receiver())
    yield started
    started.stop()


@pytest.fixture
async def channels() -> AsyncIterator[Senders]:
    async with open_senders(SETTINGS) as senders:
        yield senders


async def attempts(sessions: Sessions, alert_id: str) -> list[DeliveryAttemptRecord]:
    async with sessions() as session:
        return list(await session.scalars(
            select(DeliveryAttemptRecord).where(DeliveryAttemptRecord.alert_id == alert_id)
            .order_by(DeliveryAttemptRecord.id)
        ))  # fmt: skip


async def test_three_failures_then_success_deliver_the_alert_once_after_four_attempts(
    sessions: Sessions, receiver: Receiver, channels: Senders
) -> None:
    partner_id, secret = await add_partner(sessions, receiver.url)
    receiver.secrets, receiver.fail_first = [secret], 3
    alert_id = await add_alert(sessions, partner_id)
    clock = Clock()
    worker = DeliveryWorker(sessions, cipher(), SETTINGS, now=clock)

    for _ in range(6):
        await worker.deliver_due(channels)
        clock.advance(SETTINGS.backoff_cap_seconds)

    assert len(receiver.requests) == 4
    assert {headers["webhook-id"] for headers in receiver.requests} == {alert_id}
    assert list(receiver.accepted) == [alert_id]
    log = await attempts(sessions, alert_id)
    assert [(a.outcome, a.status_code, a.channel) for a in log] == [
        ("failed", 503, "webhook")] * 3 + [("delivered", 204, "webhook")]  # fmt: skip
    assert all(a.latency_ms > 0 for a in log) and log[0].error == "HTTP 503: "
    delivered = await alert(sessions, alert_id)
    assert (delivered.status, delivered.attempts) == ("delivered", 4)


async def test_a_retry_waits_for_its_backoff(
    sessions: Sessions, receiver: Receiver, channels: Senders
) -> None:
    partner_id, secret = await add_partner(sessions, receiver.url)
    receiver.secrets, receiver.fail_first = [secret], 1
    await add_alert(sessions, partner_id)
    clock = Clock()
    worker = DeliveryWorker(sessions, cipher(), SETTINGS, now=clock)
    assert await worker.deliver_due(channels) == 1
    assert await worker.deliver_due(channels) == 0  # not due before its backoff ends
    clock.advance(SETTINGS.backoff_base_seconds)  # the first retry's ceiling
    assert await worker.deliver_due(channels) == 1
    assert len(receiver.accepted) == 1


async def test_the_last_failed_attempt_dead_letters_the_alert_and_a_redelivery_revives_it(
    sessions: Sessions, receiver: Receiver, channels: Senders
) -> None:
    partner_id, secret = await add_partner(sessions, receiver.url)
    receiver.secrets, receiver.fail_first = [secret], SETTINGS.max_attempts
    alert_id = await add_alert(sessions, partner_id)
    clock = Clock()
    worker = DeliveryWorker(sessions, cipher(), SETTINGS, now=clock)
    for _ in range(SETTINGS.max_attempts + 2):
        await worker.deliver_due(channels)
        clock.advance(SETTINGS.backoff_cap_seconds)
    dead = await alert(sessions, alert_id)
    assert (dead.status, dead.attempts, dead.last_error) == ("dead", 4, "webhook: HTTP 503: ")
    assert len(receiver.requests) == SETTINGS.max_attempts

    async with sessions() as session, session.begin():
        await redeliver(session, alert_id, clock())
    await worker.deliver_due(channels)
    revived = await alert(sessions, alert_id)
    assert (revived.status, revived.attempts) == ("delivered", 5)
    assert list(receiver.accepted) == [alert_id]
    assert len(await attempts(sessions, alert_id)) == 5
