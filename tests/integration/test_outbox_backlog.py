"""A batched consumer waits while its outbox holds its limit of unpublished rows, and goes
on once the relay has published them; published rows do not count; a limit of 0 never
waits."""

import asyncio
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from integration.conftest import MigratedDatabase
from integration.outbox_rows import write_outbox_rows
from wushe.intake.bootstrap import MIGRATIONS
from wushe.shared.outbox_backlog import OutboxBacklog
from wushe.shared.relay import OutboxRelay

LIMIT = 5


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
    await write_outbox_rows(sessions, topic_prefix, [datetime.now(UTC)] * 10)
    await write_outbox_rows(sessions, topic_prefix, [None] * (LIMIT - 1))
    assert await returns_at_once(backlog)
    assert await returns_at_once(OutboxBacklog(sessions, 0))

    await write_outbox_rows(sessions, topic_prefix, [None])
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
