"""Writers to SQLite take turns within a process, in the order they came.

SQLite lets one transaction write at a time. The others wait in its busy handler, which
sleeps between tries (up to 100 ms a try) and so keeps losing to a writer that comes back
at once: sixteen registrations at once through intake's API each waited about 90 ms for
the lock, and a delivery loop's short writes waited seconds behind an event consumer's
back-to-back batches. Queued on one lock per database instead, each writer waits only
for those ahead of it and starts as soon as the last one ends. PostgreSQL locks rows,
not the database: no gate there.

A task that holds its turn may open another unit of work on the same database (a step
that commits its own change inside a larger one) without waiting for itself.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class _Turns:
    """A lock its holding task may take again."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None
        self._depth = 0

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        if task is None or self._holder is not task:
            await self._lock.acquire()
            self._holder = task
        self._depth += 1

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._holder = None
            self._lock.release()


_gates: WeakKeyDictionary[Engine, _Turns] = WeakKeyDictionary()


def write_gate(session: AsyncSession) -> AbstractAsyncContextManager[object]:
    """Hold it around a transaction of ``session`` that writes."""
    bind = session.bind
    if bind is None or bind.dialect.name != "sqlite":
        return contextlib.nullcontext()
    gate = _gates.get(bind.sync_engine)
    if gate is None:
        gate = _gates[bind.sync_engine] = _Turns()
    return gate


@contextlib.asynccontextmanager
async def writing(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in a transaction that writes, holding the process's turn on SQLite:
    committed on the way out, rolled back on an error."""
    async with sessions() as session, write_gate(session), session.begin():
        yield session
