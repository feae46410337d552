"""Each service's migrations build exactly the schema its models describe."""

import asyncio
import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wushe.shared.db import create_engine
from wushe.shared.messaging_tables import messaging_metadata
from wushe.shared.migrations import upgrade_to_head

SERVICES = ["intake", "ledger", "charity", "notify"]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_models(service: str, tmp_path: Path) -> None:
    bootstrap = importlib.import_module(f"wushe.{service}.bootstrap")
    orm = importlib.import_module(f"wushe.{service}.adapters.orm")
    url = f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}"
    await asyncio.to_thread(upgrade_to_head, bootstrap.MIGRATIONS, url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync), [orm.metadata, messaging_metadata]
                )
            )
    finally:
        await engine.dispose()
    assert differences == [], f"{service}: models changed without a migration: {differences}"
