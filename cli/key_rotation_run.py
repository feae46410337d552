"""Running a key rotation over the chosen services' databases, each the one the service
itself uses: every database is checked before any is changed, then walked in turn."""

import asyncio
import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url

from wushe.cli.key_rotation import CannotRotate
from wushe.cli.key_rotation_output import RotationRun, print_run
from wushe.shared.db import create_engine, is_sqlite, session_factory
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.key_rotation import count_keys, rotate_keys
from wushe.shared.key_rotation_report import RotationReport
from wushe.shared.migrations import alembic_config
from wushe.shared.sealed_columns import SealedTable
from wushe.shared.settings import SERVICE_NAMES, service_settings
from wushe.shared.unit_of_work import UnitOfWork


def sealed_tables(service: str) -> tuple[SealedTable, ...]:
    """What ``<service>/adapters/sealed_columns.py`` declares; nothing for a service that
    has no such module, as it seals nothing."""
    name = f"wushe.{service}.adapters.sealed_columns"
    if importlib.util.find_spec(name) is None:
        return ()
    tables: tuple[SealedTable, ...] = importlib.import_module(name).SEALED_TABLES
    return tables


def _migrations(service: str) -> Path:
    migrations: Path = importlib.import_module(f"wushe.{service}.bootstrap").MIGRATIONS
    return migrations


@dataclass(frozen=True)
class Target:
    service: str
    url: str
    cipher: FieldCipher

    @property
    def shown_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)


def run_services(
    console: Console, services: tuple[str, ...], *, dry_run: bool, batch_size: int,
    left_behind_csv: Path | None,
) -> RotationRun:  # fmt: skip
    sealing = [service for service in services if sealed_tables(service)]
    if len(services) == 1 and not sealing:
        console.print(f"{services[0]} stores no values sealed with the field cipher")
    targets = [_target(service) for service in sealing]
    reports = asyncio.run(_run(targets, console, dry_run=dry_run, batch_size=batch_size))
    every = {service for service in SERVICE_NAMES if sealed_tables(service)} <= set(sealing)
    run = RotationRun(reports, every_service=every, dry_run=dry_run)
    print_run(console, run, left_behind_csv)
    return run


def _target(service: str) -> Target:
    settings = service_settings(service)
    try:
        cipher = settings.field_cipher()
    except (LookupError, ValueError) as error:
        raise CannotRotate(
            f"WUSHE_ENCRYPTION_KEYS / WUSHE_ENCRYPTION_KEY_ID are not usable: {error}"
        ) from None
    target = Target(service, settings.resolved_database_url(), cipher)
    database = make_url(target.url).database
    if (is_sqlite(target.url) and database and database != ":memory:"
            and not Path(database).exists()):  # fmt: skip
        raise CannotRotate(f"{service} has no database at {target.shown_url}")
    return target


async def _run(
    targets: list[Target], console: Console, *, dry_run: bool, batch_size: int
) -> dict[str, RotationReport]:
    # No database is changed until every one is known to be usable.
    for target in targets:
        await _refuse_unmigrated(target)
    reports = {}
    for target in targets:
        cipher = target.cipher
        console.print(
            f"{target.service} database {target.shown_url}; current key "
            f"{cipher.current_key_id!r}, configured keys {', '.join(sorted(cipher.keys))}"
        )
        reports[target.service] = await _walk(target, console, dry_run, batch_size)
    return reports


async def _walk(target: Target, console: Console, dry_run: bool, batch_size: int) -> RotationReport:
    engine = create_engine(target.url)
    try:
        uow = UnitOfWork(session_factory(engine))
        doing = (
            "counting values per key"
            if dry_run
            else f"re-encrypting under {target.cipher.current_key_id}"
        )
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("rows"), TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(f"{target.service}: {doing}", total=None)

            def show(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            walk = count_keys if dry_run else rotate_keys
            tables = sealed_tables(target.service)
            return await walk(uow, target.cipher, tables, batch_size=batch_size, on_progress=show)
    finally:
        await engine.dispose()


async def _refuse_unmigrated(target: Target) -> None:
    # The walk reads every sealed column: an older schema lacks some of them.
    engine = create_engine(target.url)
    try:
        async with engine.connect() as connection:
            applied = await connection.run_sync(
                lambda sync: set(MigrationContext.configure(sync).get_current_heads())
            )
    finally:
        await engine.dispose()
    config = alembic_config(_migrations(target.service), target.url)
    expected = set(ScriptDirectory.from_config(config).get_heads())
    if applied != expected:
        raise CannotRotate(
            f"{target.service}'s database is at revision {', '.join(sorted(applied)) or 'none'}"
            f", this code expects {', '.join(sorted(expected))}: start {target.service} once "
            f"(wushe serve {target.service}) so that it migrates its database, then run again"
        )
