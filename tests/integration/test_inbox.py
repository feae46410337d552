"""The processed-event record: an event id is applied once per consumer."""

import asyncio
import uuid

from sqlalchemy import func, select

from integration.conftest import MigratedDatabase
from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.messaging_tables import outbox, processed_events
from wushe.shared.unit_of_work import UnitOfWork

PRODUCER = Producer(service="ledger", deployment="test")


def registered() -> EventEnvelope:
    person_id = uuid.uuid4()
    return new_event(
        PersonRegistered(person_id=person_id, residence_region="420704",
                         station_region="420704", groups=["disabled"]),
        subject=str(person_id), region_code="420704",
        producer=Producer(service="intake", deployment="test"),
    )  # fmt: skip


async def test_redelivered_event_has_one_effect(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    event = registered()
    for _ in range(3):
        await apply_consumed(UnitOfWork(sessions), event, PRODUCER)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerFileRecord)) == 1
        assert await session.scalar(select(func.count()).select_from(processed_events)) == 1
        assert await session.scalar(select(func.count()).select_from(outbox)) == 1


async def test_concurrent_redeliveries_have_one_effect(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    event = registered()
    results = await asyncio.gather(
        *(apply_consumed(UnitOfWork(sessions), event, PRODUCER) for _ in range(4)),
        return_exceptions=True,
    )
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerFileRecord)) == 1
        assert await session.scalar(select(func.count()).select_from(outbox)) == 1
    # A loser of the race may fail on the unique key; the broker redelivers it and it skips.
    for result in results:
        assert result is None or "unique" in str(result).lower() or "locked" in str(result).lower()
