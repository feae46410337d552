"""A batched consumer waits while its outbox holds its limit of unpublished rows, and goes
on once the relay has published them; published rows do not count; a limit of 0 never
waits."""

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

from aiokafka import AIOKafkaProducer

from integration.conftest import MigratedDatabase, Sessions
from wushe.intake.bootstrap import MIGRATIONS
from wushe.shared.events import Producer, new_event
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.messaging_tables import outbox
from wushe.shared.outbox import outbox_row
from wushe.shared.outbox_backlog import OutboxBacklog
from wushe.shared.relay import OutboxRelay

PRODUCER = Producer(service="ledger", deployment="test")
LIMIT = 5


async def write_outbox(
    sessions: Sessions, topic_prefix: str, count: int, *, published: bool = False
) -> None:
    async with sessions() as session, session.begin():
        for _ in range(count):
            payload = LedgerFileOpened(file_id=uuid4(), person_id=uuid4(), region_code="420704")
            event = new_event(
                payload, subject=str(payload.person_id), region_code="420704", producer=PRODUCER
            )
            row = outbox_row(event, topic_prefix, headers={})
            sent = datetime.now(UTC) if published else None
            await session.execute(outbox.insert().values(**row, published_at=sent))


async def returns_at_once(backlog: OutboxBacklog) -> bool:
    try:
        await asyncio.wait_for(backlog.wait_for_room(), 0.5)
    except TimeoutError:
        return False
    return True


async def test_a_consumer_waits_at_the_limit_until_the_relay_publishes(
    migrated_database: MigratedDatabase, bootstrap: str, topic_prefix: str
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    backlog = OutboxBacklog(sessions, LIMIT)
    await write_outbox(sessions, topic_prefix, 10, published=True)
    await write_outbox(sessions, topic_prefix, LIMIT - 1)
    assert await returns_at_once(backlog)
    assert await returns_at_once(OutboxBacklog(sessions, 0))

    await write_outbox(sessions, topic_prefix, 1)
    waiting = asyncio.create_task(backlog.wait_for_room())
    await asyncio.sleep(0.5)
    assert not waiting.done()
    assert await returns_at_once(OutboxBacklog(sessions, 0))

    relay = OutboxRelay(sessions, lambda: AIOKafkaProducer(bootstrap_servers=bootstrap))
    await relay.open()
    try:
        assert await relay.publish_pending() == LIMIT
    finally:
        await relay.stop()
    await asyncio.wait_for(waiting, 5)
    assert await returns_at_once(backlog)
