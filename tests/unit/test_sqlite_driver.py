"""SQLite statements take one trip to aiosqlite's thread each, and give SQLAlchemy the
same rows, row counts and errors as its own adapter."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from wushe.shared.db import create_engine

metadata = MetaData()
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String(20), nullable=False, unique=True),
)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions run on aiosqlite's thread, in order."""
    ran: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return ran


async def test_a_query_takes_one_trip_and_returns_its_rows(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(notes), [{"text": "visit"}, {"text": "call"}])
        trips.clear()
        result = await connection.execute(select(notes.c.id, notes.c.text).order_by(notes.c.id))
        assert trips == ["_execute"]
        assert list(result.keys()) == ["id", "text"]
        assert [tuple(row) for row in result] == [(1, "visit"), (2, "call")]


async def test_writes_report_their_row_counts_and_ids(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as connection:
        many = await connection.execute(insert(notes), [{"text": t} for t in ("a", "b", "c")])
        assert many.rowcount == 3
        one = await connection.execute(insert(notes).values(text="d"))
        assert one.inserted_primary_key == (4,)
        trips.clear()
        changed = await connection.execute(
            update(notes).where(notes.c.id > 2).values(text=notes.c.text + "!")
        )
        assert trips == ["_execute"]
        assert changed.rowcount == 2
        returned = await connection.execute(
            insert(notes).values(text="e").returning(notes.c.id, notes.c.text)
        )
        assert returned.one() == (5, "e")


async def test_an_error_is_the_databases_and_leaves_nothing_written(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(insert(notes).values(text="once"))
        with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: notes\.text"):
            await connection.execute(insert(notes).values(text="once"))
        await connection.rollback()
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(notes)) == 0


async def test_a_streamed_query_still_reads_in_pieces(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(notes), [{"text": f"n{i}"} for i in range(250)])
        streamed = await connection.stream(select(notes.c.id).order_by(notes.c.id))
        ids = [row.id async for row in streamed]
    assert ids == list(range(1, 251))
