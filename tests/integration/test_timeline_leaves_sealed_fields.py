"""What intake seals for notify alone (a child at risk's name and address) does not stay
on the ledger's timeline, applied one at a time or in a batch (SQLite, PostgreSQL)."""

from uuid import uuid4

from sqlalchemy import select

from integration.conftest import MigratedDatabase
from integration.test_ledger_batch_equivalence import LEDGER, consumed, registered
from wushe.ledger.adapters.orm import TimelineEntryRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.service_layer.commands import apply_consumed, apply_consumed_batch
from wushe.shared.unit_of_work import UnitOfWork


async def test_sealed_fields_are_left_off_the_timeline(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger-sealed", MIGRATIONS)
    alone, batched = uuid4(), uuid4()
    events = [
        consumed(
            registered(person, ["child_unattended"]).model_copy(
                update={"name_sealed": "v1:sealed-name", "address_sealed": "v1:sealed-address"}
            ),
            person,
            offset,
        )
        for offset, person in enumerate((alone, batched))
    ]
    assert "name_sealed" in events[0].event.payload

    await apply_consumed(UnitOfWork(sessions), events[0].event, LEDGER)
    await apply_consumed_batch(UnitOfWork(sessions), events[1:], LEDGER)

    async with sessions() as session:
        details = (await session.scalars(select(TimelineEntryRecord.details))).all()
    assert len(details) == 2
    for entry in details:
        assert entry["groups"] == ["child_unattended"]
        assert not [name for name in entry if name.endswith("_sealed")]
