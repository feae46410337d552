"""Fresh, migrated service databases on SQLite and on PostgreSQL for each test."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from support.infrastructure import drop_databases, postgres_available, recreate_databases
from wushe.shared.db import create_engine, session_factory
from wushe.shared.migrations import upgrade_to_head

Sessions = async_sessionmaker[AsyncSession]
MigratedDatabase = Callable[[str, Path], Awaitable[Sessions]]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not postgres_available():
        pytest.fail("PostgreSQL is not reachable; set WUSHE_TEST_POSTGRES_URL")
    return str(request.param)


@pytest.fixture
async def empty_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database on the backend, dropped afterwards on PostgreSQL."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"wushe_it_{uuid.uuid4().hex[:8]}"
    yield (await recreate_databases([name]))[name]
    await drop_databases([name])


@pytest.fixture
async def migrated_database(backend: str, tmp_path: Path) -> AsyncIterator[MigratedDatabase]:
    """Factory: migrate a fresh database for one service and return its sessions."""
    engines: list[AsyncEngine] = []
    databases: list[str] = []

    async def make(service: str, migrations: Path) -> Sessions:
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}"
        else:
            name = f"wushe_it_{service}_{uuid.uuid4().hex[:8]}"
            url = (await recreate_databases([name]))[name]
            databases.append(name)
        await asyncio.to_thread(upgrade_to_head, migrations, url)
        engine = create_engine(url)
        engines.append(engine)
        return session_factory(engine)

    yield make
    for engine in engines:
        await engine.dispose()
    if databases:
        await drop_databases(databases)


@pytest.fixture
def topic_prefix() -> str:
    return f"it{uuid.uuid4().hex[:8]}."
