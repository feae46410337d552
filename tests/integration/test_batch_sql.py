"""A batch's keys and rows in statements of a fixed size: the same rows and answers as the
portable forms, on SQLite and on PostgreSQL."""

import itertools
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from integration.conftest import MigratedDatabase
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.shared.batch_sql import insert_rows, member_of, update_rows
from wushe.shared.events import Producer, new_event
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.inbox import claim_events

tables = MetaData()
samples = Table(
    "batch_sql_samples",
    tables,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(20), nullable=False),
    Column("document", JSON, nullable=True),
    Column("document_or_null", JSON(none_as_null=True), nullable=True),
    Column("day", Date, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("count", Integer, nullable=True),
    Column("note", String(40), nullable=True),
)

ROWS: list[dict[str, Any]] = [
    {"name": "lists", "document": ["a", ["b", "c"]], "document_or_null": {"k": [1, 2]},
     "day": date(2026, 2, 28), "at": datetime(2026, 11, 24, 8, 0, tzinfo=UTC), "count": 3,
     "note": 'say "hi"\\ \n\t'},
    {"name": "nones", "document": None, "document_or_null": None, "day": None, "at": None,
     "count": None, "note": None},
    {"name": "text", "document": "“引号” and 中文", "document_or_null": [],
     "day": date(2027, 1, 1), "at": datetime(2026, 1, 1, tzinfo=UTC), "count": 0,
     "note": "社工站 null"},
]  # fmt: skip


async def _stored(session: Any) -> list[tuple[Any, ...]]:
    """Each row's values, and whether each JSON column holds SQL's NULL."""
    rows = await session.execute(
        select(
            samples.c.name, samples.c.document, samples.c.document_or_null, samples.c.day,
            samples.c.at, samples.c.count, samples.c.note, samples.c.document.is_(None),
            samples.c.document_or_null.is_(None),
        ).order_by(samples.c.id)
    )  # fmt: skip
    return [tuple(row) for row in rows]


@pytest.fixture
async def session(migrated_database: MigratedDatabase) -> AsyncIterator[AsyncSession]:
    """A session on a fresh database of each backend, with the samples' table."""
    sessions = await migrated_database("ledger", MIGRATIONS)
    async with sessions() as session:
        await session.run_sync(lambda sync: tables.create_all(sync.connection()))
        yield session


async def test_inserted_rows_are_those_the_portable_insert_writes(session: AsyncSession) -> None:
    await session.execute(insert(samples), ROWS)
    portable = await _stored(session)
    await session.execute(samples.delete())
    await insert_rows(session, samples, ROWS)
    assert await _stored(session) == portable
    await insert_rows(session, samples, [])
    assert await session.scalar(select(func.count()).select_from(samples)) == len(ROWS)
    # JSON's null is a document; only the column that says so stores SQL's NULL.
    nones = portable[1]
    assert nones[7:] == (False, True)
    # Without JSON's null among a column's values, its documents travel inside the rows'.
    await session.execute(samples.delete())
    await insert_rows(session, samples, ROWS[::2])
    assert await _stored(session) == portable[::2]


async def test_a_batch_statement_is_compiled_once_and_then_taken_from_the_cache(
    session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    # SQLAlchemy's log tells for each statement whether its compiled form was generated,
    # taken from the cache, or could not be cached ("no key") and was compiled again.
    await session.commit()
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine.Engine")
    async with session.bind.connect() as connection:
        batches = AsyncSession(bind=connection)
        for first in range(len(ROWS)):
            await insert_rows(batches, samples, ROWS[first : first + 1])
            ids = await _inserted_ids(batches)
            await update_rows(batches, samples, [{"id": ids[-1], "note": f"第{first}批"}])
        await batches.rollback()
    messages = [record.getMessage() for record in caplog.records]
    # Each statement is logged, then how its compiled form was come by, with its parameters.
    compiled = [
        (statement.split()[0], how.split()[0])
        for statement, how in itertools.pairwise(messages)
        if how.startswith("[")
    ]
    assert ("INSERT", "[no") not in compiled
    assert ("UPDATE", "[no") not in compiled
    assert compiled.count(("INSERT", "[cached")) >= 1
    assert compiled.count(("UPDATE", "[cached")) == len(ROWS) - 1


def _changes(ids: list[int]) -> list[dict[str, Any]]:
    return [
        {"id": ids[0], "document": None, "document_or_null": None, "day": None,
         "at": datetime(2027, 3, 1, 9, 30, tzinfo=UTC), "note": "变了"},
        {"id": ids[1], "document": {"now": ["a", None]}, "document_or_null": [1],
         "day": date(2026, 12, 31), "at": None, "note": 'quote " and \\'},
    ]  # fmt: skip


async def _inserted_ids(session: AsyncSession) -> list[int]:
    await session.execute(samples.delete())
    await insert_rows(session, samples, ROWS)
    return list(await session.scalars(select(samples.c.id).order_by(samples.c.id)))


async def test_updated_rows_are_those_the_portable_update_writes(session: AsyncSession) -> None:
    for change in _changes(await _inserted_ids(session)):
        values = {name: value for name, value in change.items() if name != "id"}
        await session.execute(update(samples).where(samples.c.id == change["id"]).values(values))
    portable = await _stored(session)

    await update_rows(session, samples, _changes(await _inserted_ids(session)))
    await update_rows(session, samples, [])
    assert await _stored(session) == portable
    # The row not named keeps its values; the others change only the columns given.
    assert portable[2][:4] == tuple(ROWS[2].values())[:4] and portable[2][6] == "社工站 null"
    assert portable[0][5] == 3 and portable[1][1] == {"now": ["a", None]}
    # Set to None, JSON's null is a document; only the column that says so is SQL's NULL.
    assert portable[0][7:] == (False, True) and portable[1][7:] == (False, False)


async def test_member_of_finds_the_rows_whose_column_is_among_the_keys(
    session: AsyncSession,
) -> None:
    await insert_rows(session, samples, ROWS)

    async def names(condition: Any) -> list[str]:
        found = await session.scalars(
            select(samples.c.name).where(condition).order_by(samples.c.name)
        )
        return list(found)

    assert await names(member_of(session, samples.c.name, ["text", "lists", "absent"])) == [
        "lists",
        "text",
    ]
    assert await names(member_of(session, samples.c.name, [])) == []
    # Two such conditions in one statement keep their own keys.
    both = and_(
        member_of(session, samples.c.name, ["lists", "nones"]),
        member_of(session, samples.c.count, [0, 3]),
    )
    assert await names(both) == ["lists"]


async def test_a_claimed_batch_returns_each_new_event_once(session: AsyncSession) -> None:
    producer = Producer(service="intake", deployment="test")
    events = [
        new_event(
            PersonRegistered(person_id=f"00000000-0000-4000-8000-00000000000{index}",
                             residence_region="420704", station_region="420704", groups=[]),
            subject=f"person-{index}", region_code="420704", producer=producer,
        )
        for index in range(4)
    ]  # fmt: skip
    assert await claim_events(session, "ledger", events[:2]) == {str(e.id) for e in events[:2]}
    # Claimed before, or twice in the same batch: each new id comes back once.
    again = [events[1], events[2], events[2], events[3]]
    assert await claim_events(session, "ledger", again) == {
        str(events[2].id),
        str(events[3].id),
    }
    assert await claim_events(session, "notify", events[:1]) == {str(events[0].id)}
    assert await claim_events(session, "ledger", []) == set()
