"""A read made of several queries sees one state of the database: a write committed
between its queries is not half seen (the timeline once showed a merged person's entries
next to the undoing of that merge)."""

import uuid

from sqlalchemy import func, select

from integration.conftest import MigratedDatabase
from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.shared.db import snapshot
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.unit_of_work import UnitOfWork

INTAKE = Producer(service="intake", deployment="test")
LEDGER = Producer(service="ledger", deployment="test")


def registered() -> EventEnvelope:
    person_id = uuid.uuid4()
    payload = PersonRegistered(person_id=person_id, residence_region="420704",
                               station_region="420704", groups=["disabled"])  # fmt: skip
    return new_event(payload, subject=str(person_id), region_code="420704", producer=INTAKE)


async def test_a_snapshot_does_not_see_what_commits_after_its_first_read(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    await apply_consumed(UnitOfWork(sessions), registered(), LEDGER)
    files = select(func.count()).select_from(LedgerFileRecord)

    async with snapshot(sessions) as reading:
        assert await reading.scalar(files) == 1
        await apply_consumed(UnitOfWork(sessions), registered(), LEDGER)
        assert await reading.scalar(files) == 1

    async with snapshot(sessions) as reading:
        assert await reading.scalar(files) == 2
        record = await reading.scalar(select(LedgerFileRecord).limit(1))
    assert record is not None and record.region_code == "420704"  # still readable after
