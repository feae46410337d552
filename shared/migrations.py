"""Alembic, per service: each service's ``migrations/`` folder, run before it starts."""

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, make_url, text
from sqlalchemy.engine import Connection

from wushe.shared.db import create_engine

MIGRATION_LOCK_KEY = 0x77757368_6D696772  # "wushmigr": one migrating replica at a time


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


class UnknownSchema(RuntimeError):
    """The database is at a migration the service's own migrations do not know."""


def refuse_an_unknown_schema(
    migration: MigrationContext, script: ScriptDirectory, database_url: str
) -> None:
    """Stop before migrating a database that holds another service's schema, or one a
    newer version of this service migrated, with what to do about it."""
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = sorted(head for head in migration.get_current_heads() if head not in known)
    if not unknown:
        return
    service = min(known).split("_")[0]
    database = make_url(database_url).render_as_string(hide_password=True)
    raise UnknownSchema(
        f"{database} is at migration {', '.join(unknown)}, which {service}'s migrations do "
        f"not know. Either it holds another service's schema (each service needs a "
        f"database of its own: set {service.upper()}_DATABASE_URL), or a newer version of "
        f"{service} migrated it (run that version)."
    )


def upgrade_to_head(migrations_dir: Path, database_url: str) -> None:
    command.upgrade(alembic_config(migrations_dir, database_url), "heads")


def run_migrations(target_metadata: list[MetaData]) -> None:
    """Body of every service's ``env.py``."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            # Replicas of a service start together: the first to get the lock migrates,
            # the others wait for its commit and then find nothing left to do. Unlocked,
            # two creating the same tables collide and one exits.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        refuse_an_unknown_schema(context.get_context(), context.script, url)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run_async())
