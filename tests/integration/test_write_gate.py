"""Units of work and writing sessions on SQLite take turns to write within a process, in
the order they came, without waiting for SQLite's busy handler; a task holding its turn
may open another; on PostgreSQL they run side by side."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from integration.conftest import Sessions
from wushe.shared.db import create_engine, session_factory
from wushe.shared.unit_of_work import UnitOfWork
from wushe.shared.write_gate import write_gate, writing

metadata = MetaData()
visits = Table(
    "visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("worker", String(20), nullable=False),
)


@pytest.fixture
async def sessions(empty_database: str) -> AsyncIterator[Sessions]:
    """A database with the visits table, on the backend."""
    engine = create_engine(empty_database)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield session_factory(engine)
    await engine.dispose()


async def test_writers_take_turns_in_the_order_they_came(backend: str, sessions: Sessions) -> None:
    inside: list[str] = []
    overlapped = 0

    async def record(worker: str) -> None:
        nonlocal overlapped
        async with UnitOfWork(sessions) as uow:
            inside.append(worker)
            overlapped = max(overlapped, len(inside))
            await uow.session.execute(insert(visits).values(worker=worker))
            await asyncio.sleep(0.01)
            await uow.commit()
            inside.remove(worker)

    workers = [f"worker-{n:02d}" for n in range(12)]
    await asyncio.wait_for(asyncio.gather(*(record(w) for w in workers)), timeout=30)
    async with sessions() as session:
        order = list(await session.scalars(select(visits.c.worker).order_by(visits.c.id)))
    if backend == "sqlite":
        assert overlapped == 1, "one writer at a time"
        assert order == workers, "in the order they came"
    else:
        assert overlapped > 1, "PostgreSQL locks rows, not the database"
        assert sorted(order) == workers


async def test_a_task_holding_its_turn_may_open_another_unit_of_work(sessions: Sessions) -> None:
    async def nested() -> None:
        async with UnitOfWork(sessions) as outer:
            async with UnitOfWork(sessions) as inner:
                await inner.session.execute(insert(visits).values(worker="inner"))
                await inner.commit()
            await outer.session.execute(insert(visits).values(worker="outer"))
            await outer.commit()

    await asyncio.wait_for(nested(), timeout=30)
    # The turn is free again: another task writes at once.
    async with UnitOfWork(sessions) as uow:
        await uow.session.execute(insert(visits).values(worker="next"))
        await uow.commit()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(visits)) == 3


async def test_a_writing_session_waits_for_the_turn_another_task_holds(
    backend: str, sessions: Sessions
) -> None:
    async def write() -> None:
        async with writing(sessions) as session:
            await session.execute(insert(visits).values(worker="waiting"))

    async with sessions() as held, write_gate(held):
        writer = asyncio.create_task(write())
        await asyncio.sleep(0.2)
        # Only the turn is held, not the database: without it the write would be done.
        assert writer.done() is (backend != "sqlite")
    await asyncio.wait_for(writer, timeout=10)
    async with sessions() as session:
        assert list(await session.scalars(select(visits.c.worker))) == ["waiting"]
