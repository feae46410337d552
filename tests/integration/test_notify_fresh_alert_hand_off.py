"""The alerts a consumed batch makes, on SQLite and PostgreSQL: leased in the batch's own
transaction and handed to the running delivery worker, which delivers them with no
wake and no poll; one handed over and lost with the process is delivered by any worker
once its lease runs out; with no worker running they stay due for the next lease."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import select

from integration.conftest import MigratedDatabase
from integration.notify_outbound import MIGRATIONS, Clock, Sessions, add_partner, alert, cipher
from integration.test_notify_slow_partner import wait_until
from support.webhook_receivers import Receiver, start
from wushe.notify.adapters.orm import AlertRecord, SubscriptionRecord
from wushe.notify.config import DeliverySettings
from wushe.notify.entrypoints.events import batch_steps
from wushe.notify.service_layer.channels import open_senders
from wushe.notify.service_layer.consumed_batch import apply_consumed_batch
from wushe.notify.service_layer.delivery import DeliveryWorker
from wushe.notify.service_layer.routing import Router
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.events import Producer, new_event
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.unit_of_work import UnitOfWork

REGION = "420704"
# Only a hand-over can deliver within the test: the worker's own poll is a minute away.
SETTINGS = DeliverySettings(poll_seconds=60, timeout_seconds=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = start(Receiver())
    yield started
    started.stop()


async def subscribed_partner(sessions: Sessions, receiver: Receiver) -> str:
    partner_id, secret = await add_partner(sessions, receiver.url, REGION)
    receiver.secrets = [secret]
    async with sessions() as session, session.begin():
        session.add(
            SubscriptionRecord(
                id=str(uuid.uuid4()),
                partner_id=partner_id,
                event_type="ledger.file_opened",
                region_code=REGION,
            )
        )
    return partner_id


def file_opened() -> ConsumedEvent:
    person_id = uuid.uuid4()
    event = new_event(
        LedgerFileOpened(file_id=uuid.uuid4(), person_id=person_id, region_code=REGION,
                         groups=["disabled"]),
        subject=str(person_id), region_code=REGION,
        producer=Producer(service="ledger", deployment="test"),
    )  # fmt: skip
    value = event.model_dump_json().encode()
    record = ConsumerRecord("t", 0, 0, 0, 0, None, value, None, 0, len(value), headers=[])
    return ConsumedEvent(event, record)


async def apply(sessions: Sessions, worker: DeliveryWorker) -> AlertRecord:
    item = file_opened()
    steps = batch_steps(Router(cipher()))
    await apply_consumed_batch(UnitOfWork(sessions), [item], steps, worker)
    async with sessions() as session:
        made = list(await session.scalars(select(AlertRecord)))
    assert len(made) == 1
    return made[0]


async def test_a_batch_hands_its_alert_to_the_running_worker(
    migrated_database: MigratedDatabase, receiver: Receiver
) -> None:
    sessions: Sessions = await migrated_database("notify", MIGRATIONS)
    await subscribed_partner(sessions, receiver)
    worker = DeliveryWorker(sessions, cipher(), SETTINGS)
    async with open_senders(SETTINGS) as senders:
        running = asyncio.create_task(worker.run(senders))
        try:
            await wait_until(lambda: worker.room() > 0, 5)
            made = await apply(sessions, worker)
            assert made.next_attempt_at.replace(tzinfo=UTC) > datetime.now(UTC)  # leased
            await wait_until(lambda: made.id in receiver.accepted, 10)
            await wait_until(lambda: delivered(sessions, made.id), 10)
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
    assert len(receiver.requests) == 1


async def delivered(sessions: Sessions, alert_id: str) -> bool:
    return (await alert(sessions, alert_id)).status == "delivered"


async def test_an_alert_handed_over_and_lost_is_delivered_when_its_lease_runs_out(
    migrated_database: MigratedDatabase, receiver: Receiver
) -> None:
    sessions: Sessions = await migrated_database("notify", MIGRATIONS)
    partner_id = await subscribed_partner(sessions, receiver)
    lost = DeliveryWorker(sessions, cipher(), SETTINGS)
    async with open_senders(SETTINGS) as senders:
        running = asyncio.create_task(lost.run(senders))
        await wait_until(lambda: lost.room() > 0, 5)
        lost.hand_over = lambda *_: None  # type: ignore[method-assign]  # dies first
        made = await apply(sessions, lost)
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)

        clock = Clock()
        survivor = DeliveryWorker(sessions, cipher(), SETTINGS, now=clock)
        assert await survivor.deliver_due(senders) == 0  # still leased
        clock.advance(SETTINGS.lease_seconds)
        assert await survivor.deliver_due(senders) == 1
    assert list(receiver.accepted) == [made.id]
    assert (await alert(sessions, made.id)).partner_id == partner_id
    assert await delivered(sessions, made.id)


async def test_with_no_worker_running_the_batch_leaves_its_alert_due(
    migrated_database: MigratedDatabase, receiver: Receiver
) -> None:
    sessions: Sessions = await migrated_database("notify", MIGRATIONS)
    await subscribed_partner(sessions, receiver)
    worker = DeliveryWorker(sessions, cipher(), SETTINGS)
    made = await apply(sessions, worker)
    async with open_senders(SETTINGS) as senders:
        assert await worker.deliver_due(senders) == 1
    assert list(receiver.accepted) == [made.id]


async def test_a_batch_leaves_alone_an_alert_another_lease_holds(
    migrated_database: MigratedDatabase, receiver: Receiver
) -> None:
    """Made in the meantime by another transaction and locked by the loop's lease: the
    batch's lease skips it instead of waiting to lease it a second time."""
    sessions: Sessions = await migrated_database("notify", MIGRATIONS)
    if sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite's writers take turns at the write gate; rows are not locked")
    await subscribed_partner(sessions, receiver)
    since = datetime.now(UTC)
    worker = DeliveryWorker(sessions, cipher(), SETTINGS)
    made = await apply(sessions, worker)  # no worker running: left due
    async with sessions() as loop_lease, loop_lease.begin(), open_senders(SETTINGS) as senders:
        locked = select(AlertRecord).where(AlertRecord.id == made.id).with_for_update()
        assert (await loop_lease.scalars(locked)).one().id == made.id
        running = asyncio.create_task(worker.run(senders))  # its own round skips it too
        try:
            await wait_until(lambda: worker.room() > 0, 5)
            async with sessions() as batch, batch.begin():
                lease = await asyncio.wait_for(worker.lease_fresh(batch, since, {}, {}), 10)
            assert lease.alerts == []
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
