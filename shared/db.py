"""Async SQLAlchemy engines for SQLite (embedded default) and PostgreSQL (production)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from wushe.shared.sqlite_driver import OneTripDbapi


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def conflict_insert(session: AsyncSession, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT in the session's dialect, which can carry ``on_conflict_do_nothing`` or
    ``on_conflict_do_update``."""
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # JSON columns (alert bodies, trace headers, group lists) are written and read on
    # every event: orjson does both several times faster than the standard library.
    kwargs = {"json_serializer": json_text, "json_deserializer": orjson.loads, **kwargs}
    if is_sqlite(url):
        engine = create_async_engine(
            url, module=OneTripDbapi(), connect_args={"timeout": 30}, **kwargs
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API, the consumers and the relay read while one of them writes;
    # busy_timeout makes concurrent writers wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Index pages of keyed hashes are written in random order: a larger cache keeps them
    # in memory across a batch instead of re-reading them for every row.
    cursor.execute("PRAGMA cache_size=-65536")
    # Checkpoint the write-ahead log every 64 MB rather than every 4 MB: bulk imports
    # commit a few MB per batch, and each checkpoint waits for the disk.
    cursor.execute("PRAGMA wal_autocheckpoint=16384")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A read-only session whose queries all see the database as of the first one.

    A page built from several queries (a file, the files merged into it, their entries)
    would otherwise mix the states before and after a write committed between them.
    """
    async with sessions() as session:
        if session.bind.dialect.name == "postgresql":
            options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
            await session.connection(execution_options=options)
        else:
            # SQLite's driver runs a SELECT outside any transaction; in WAL mode an explicit
            # one holds a single read snapshot until it ends.
            await session.execute(text("BEGIN"))
        # Closing ends the transaction without expiring what was read, so the results
        # stay usable after the block.
        yield session
