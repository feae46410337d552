"""Notify's writers to SQLite take turns in this process, in the order they came.

SQLite lets one transaction write at a time. The others wait in its busy handler, which
sleeps between tries (up to 100 ms a try) and so keeps losing to a writer that comes back
at once: under the delivery bench the delivery loop's short writes waited seconds behind
the event consumer's back-to-back batches. Queued on one lock per database instead, each
writer waits only for those ahead of it. PostgreSQL locks rows, not the database: no gate
there.
"""

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession

_gates: WeakKeyDictionary[Engine, asyncio.Lock] = WeakKeyDictionary()


def write_gate(session: AsyncSession) -> AbstractAsyncContextManager[object]:
    """Hold it around a transaction of ``session`` that writes."""
    bind = session.bind
    if bind is None or bind.dialect.name != "sqlite":
        return contextlib.nullcontext()
    gate = _gates.get(bind.sync_engine)
    if gate is None:
        gate = _gates[bind.sync_engine] = asyncio.Lock()
    return gate
