"""Each service's migrations build exactly the schema its models describe, once however
many replicas start together, and only in a database of the service's own."""

import asyncio
import importlib
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from support.infrastructure import drop_databases, postgres_available, recreate_databases
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.shared.db import create_engine
from wushe.shared.messaging_tables import messaging_metadata
from wushe.shared.migrations import UnknownSchema, alembic_config, upgrade_to_head

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


@pytest.mark.skipif(not postgres_available(), reason="PostgreSQL not reachable")
async def test_replicas_starting_together_migrate_a_new_database_once() -> None:
    name = f"wushe_migrating_{uuid.uuid4().hex[:8]}"
    url = (await recreate_databases([name]))[name]
    try:
        # Processes, as replicas are: Alembic keeps its migration context in a global.
        migrate = (
            "import sys; from wushe.ledger.bootstrap import MIGRATIONS; "
            "from wushe.shared.migrations import upgrade_to_head; "
            "upgrade_to_head(MIGRATIONS, sys.argv[1])"
        )
        replicas = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", migrate, url, stderr=asyncio.subprocess.PIPE
            )
            for _ in range(3)
        ]
        errors = [(await replica.communicate())[1] for replica in replicas]
        assert [replica.returncode for replica in replicas] == [0, 0, 0], errors
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                versions = (await connection.execute(text("SELECT * FROM alembic_version"))).all()
        finally:
            await engine.dispose()
        heads = ScriptDirectory.from_config(alembic_config(MIGRATIONS, url)).get_heads()
        assert sorted(version for (version,) in versions) == sorted(heads)
    finally:
        await drop_databases([name])


async def test_a_service_refuses_a_database_that_holds_another_services_schema(
    empty_database: str,
) -> None:
    url = empty_database
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    notify = importlib.import_module("wushe.notify.bootstrap")
    with pytest.raises(UnknownSchema) as refused:
        await asyncio.to_thread(upgrade_to_head, notify.MIGRATIONS, url)
    message = str(refused.value)
    assert "ledger_00" in message and "NOTIFY_DATABASE_URL" in message
    # Nothing of notify's was created beside the ledger's tables.
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    assert "ledger_files" in tables
    assert not {"partners", "alerts", "subscriptions"} & set(tables)
