"""A partner's rate limit and circuit breaker hold its alerts back without spending their
retries, on a clock the test moves; the delivery log shows only real attempts."""

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import func, select

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
from wushe.notify.domain.circuit_breaker import CircuitState
from wushe.notify.service_layer.channels import Senders, open_senders
from wushe.notify.service_layer.delivery import DeliveryWorker


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
    async with open_senders(DeliverySettings(timeout_seconds=5)) as senders:
        yield senders


async def logged_attempts(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count(DeliveryAttemptRecord.id))) or 0)


async def test_a_partner_gets_its_burst_then_its_rate(
    sessions: Sessions, receiver: Receiver, channels: Senders
) -> None:
    settings = DeliverySettings(rate_per_second=2, rate_burst=3)
    partner_id, secret = await add_partner(sessions, receiver.url)
    receiver.secrets = [secret]
    other_id, other_secret = await add_partner(sessions, receiver.url)
    receiver.secrets.append(other_secret)
    for _ in range(6):
        await add_alert(sessions, partner_id)
    await add_alert(sessions, other_id)
    clock = Clock()
    worker = DeliveryWorker(sessions, cipher(), settings, now=clock)

    await worker.deliver_due(channels)
    assert len(receiver.accepted) == 3 + 1  # the burst, and the other partner's own bucket
    await worker.deliver_due(channels)
    assert len(receiver.accepted) == 4  # held back alerts are not due before a token is
    clock.advance(0.5)
    await worker.deliver_due(channels)
    assert len(receiver.accepted) == 5
    clock.advance(1.0)
    await worker.deliver_due(channels)
    assert len(receiver.accepted) == 7
    assert await logged_attempts(sessions) == 7  # holding back is not an attempt


async def test_the_circuit_opens_after_consecutive_failures_and_one_probe_closes_it(
    sessions: Sessions, receiver: Receiver, channels: Senders
) -> None:
    settings = DeliverySettings(breaker_failures=3, breaker_cool_down_seconds=30)
    partner_id, secret = await add_partner(sessions, receiver.url)
    receiver.secrets, receiver.fail_first = [secret], 1000
    alert_ids = [await add_alert(sessions, partner_id) for _ in range(3)]
    clock = Clock()
    worker = DeliveryWorker(sessions, cipher(), settings, now=clock)
    breaker = worker.breakers.of(partner_id)

    await worker.deliver_due(channels)  # three failures in a row open the circuit
    assert len(receiver.requests) == 3
    assert breaker.state(clock().timestamp()) is CircuitState.OPEN

    clock.advance(2)  # their backoff is over, the cool-down is not: nothing is sent
    assert await worker.deliver_due(channels) == 3
    assert len(receiver.requests) == 3
    assert [(await alert(sessions, a)).attempts for a in alert_ids] == [1, 1, 1]

    receiver.fail_first = 3  # the partner is back
    clock.advance(28)
    await worker.deliver_due(channels)  # half-open: one probe goes, and closes the circuit
    assert len(receiver.requests) == 4
    assert breaker.state(clock().timestamp()) is CircuitState.CLOSED
    clock.advance(1)
    await worker.deliver_due(channels)
    assert set(receiver.accepted) == set(alert_ids)
    assert await logged_attempts(sessions) == 3 + 3
