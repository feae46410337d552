"""`wushe intake rotate-keys`: re-encrypt intake's personal data under the current key,
on the database intake itself uses, with a progress bar and a summary per column."""

import asyncio
import csv
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from wushe.intake.bootstrap import MIGRATIONS
from wushe.intake.service_layer.key_rotation import (
    LeftBehind,
    LeftBehindReason,
    RotationReport,
    count_keys,
    rotate_keys,
)
from wushe.shared.db import create_engine, is_sqlite, session_factory
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.migrations import alembic_config
from wushe.shared.settings import service_settings
from wushe.shared.unit_of_work import UnitOfWork

LEFT_BEHIND_SHOWN = 50


class CannotRotate(RuntimeError):
    pass


def run_key_rotation(
    console: Console, *, dry_run: bool, batch_size: int, left_behind_csv: Path | None
) -> RotationReport:
    """Rotate (or, with ``dry_run``, count) and print the summary; raises CannotRotate
    when the keys or the database are not usable."""
    settings = service_settings("intake")
    try:
        cipher = settings.field_cipher()
    except (LookupError, ValueError) as error:
        raise CannotRotate(
            f"WUSHE_ENCRYPTION_KEYS / WUSHE_ENCRYPTION_KEY_ID are not usable: {error}"
        ) from None
    url = settings.resolved_database_url()
    shown_url = make_url(url).render_as_string(hide_password=True)
    database = make_url(url).database
    if is_sqlite(url) and database and database != ":memory:" and not Path(database).exists():
        raise CannotRotate(f"intake has no database at {shown_url}")
    console.print(
        f"intake database {shown_url}; current key {cipher.current_key_id!r}, "
        f"configured keys {', '.join(sorted(cipher.keys))}"
    )
    report = asyncio.run(_walk(url, cipher, console, dry_run=dry_run, batch_size=batch_size))
    if dry_run:
        _print_key_counts(console, report)
    else:
        _print_rotation(console, report)
    _print_left_behind(console, report, left_behind_csv)
    return report


async def _walk(
    url: str, cipher: FieldCipher, console: Console, *, dry_run: bool, batch_size: int
) -> RotationReport:
    engine = create_engine(url)
    try:
        await _refuse_unmigrated(engine, url)
        uow = UnitOfWork(session_factory(engine))
        description = (
            "counting values per key" if dry_run else f"re-encrypting under {cipher.current_key_id}"
        )
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("rows"), TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(description, total=None)

            def show(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            walk = count_keys if dry_run else rotate_keys
            return await walk(uow, cipher, batch_size=batch_size, on_progress=show)
    finally:
        await engine.dispose()


async def _refuse_unmigrated(engine: AsyncEngine, url: str) -> None:
    # The walk reads every encrypted column: an older schema lacks some of them.
    async with engine.connect() as connection:
        applied = await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads())
        )
    expected = set(ScriptDirectory.from_config(alembic_config(MIGRATIONS, url)).get_heads())
    if applied != expected:
        raise CannotRotate(
            f"intake's database is at revision {', '.join(sorted(applied)) or 'none'}, this "
            f"code expects {', '.join(sorted(expected))}: start intake once (wushe serve "
            "intake) so that it migrates its database, then run again"
        )


def _print_rotation(console: Console, report: RotationReport) -> None:
    table = Table(title=f"re-encrypted under key {report.current_key_id!r}")
    for heading in ("column", "re-encrypted", "already on the current key",
                    "under unknown keys", "damaged"):  # fmt: skip
        table.add_column(heading, justify="left" if heading == "column" else "right")
    for column, tally in report.columns.items():
        table.add_row(column, str(tally.reencrypted), str(tally.already_current),
                      str(tally.unknown_key), str(tally.damaged))  # fmt: skip
    console.print(table)
    if report.complete:
        console.print(f"every value is under key {report.current_key_id!r}")


def _print_key_counts(console: Console, report: RotationReport) -> None:
    found = report.values_by_key_id
    key_ids = sorted(found, key=lambda key_id: (key_id != report.current_key_id, key_id))
    table = Table(title="values per key id (dry run: nothing was changed)")
    table.add_column("column")
    for key_id in key_ids:
        table.add_column(escape(_key_heading(key_id, report)), justify="right")
    table.add_column("not sealed", justify="right")
    for column, tally in report.columns.items():
        table.add_row(
            column, *(str(tally.by_key_id[key_id]) for key_id in key_ids), str(tally.damaged)
        )
    console.print(table)
    older = {key_id: count for key_id, count in found.items() if key_id != report.current_key_id}
    if older:
        listed = ", ".join(
            f"{escape(repr(key_id))} ({count})" for key_id, count in sorted(older.items())
        )
        console.print(
            f"{_values_are(sum(older.values()))} under keys other than the current "
            f"{report.current_key_id!r}: {listed}; run `wushe intake rotate-keys`"
        )
    else:
        console.print(f"every value is under the current key {report.current_key_id!r}")
    unused = sorted(set(report.configured_key_ids) - set(found) - {report.current_key_id})
    if unused:
        console.print(
            f"no value is under {', '.join(map(repr, unused))}: "
            "it can be removed from WUSHE_ENCRYPTION_KEYS"
        )


def _key_heading(key_id: str, report: RotationReport) -> str:
    if key_id == report.current_key_id:
        return f"{key_id} (current)"
    if key_id not in report.configured_key_ids:
        return f"{key_id} (not configured)"
    return key_id


def _print_left_behind(
    console: Console, report: RotationReport, left_behind_csv: Path | None
) -> None:
    if report.complete:
        return
    entries = report.left_behind
    for key_id in report.missing_key_ids:
        count = sum(1 for entry in entries if entry.key_id == key_id
                    and entry.reason is LeftBehindReason.UNKNOWN_KEY)  # fmt: skip
        console.print(
            f"[red]{_values_are(count)} under key {escape(repr(key_id))}, which is not "
            "configured in WUSHE_ENCRYPTION_KEYS: unreadable, so left as is. Add that key "
            "to WUSHE_ENCRYPTION_KEYS and run again.[/red]"
        )
    damaged = sum(1 for entry in entries if entry.reason is LeftBehindReason.DAMAGED)
    if damaged:
        console.print(
            f"[red]{_values_are(damaged)} damaged (not in the sealed form, or not opening "
            "with the key named), so left as is.[/red]"
        )
    changing = sum(1 for entry in entries if entry.reason is LeftBehindReason.KEPT_CHANGING)
    if changing:
        console.print(
            f"[yellow]{_values_are(changing)} left for the next run: other writers changed "
            "them at every attempt.[/yellow]"
        )
    table = Table(title="values left as they are")
    for heading in ("table", "row id", "column", "key id", "reason"):
        table.add_column(heading)
    for entry in entries[:LEFT_BEHIND_SHOWN]:
        table.add_row(entry.table, escape(entry.row_id), entry.column,
                      escape(entry.key_id or "-"), entry.reason.value)  # fmt: skip
    console.print(table)
    if left_behind_csv is not None:
        _write_csv(left_behind_csv, entries)
        console.print(f"all {len(entries)} listed in {left_behind_csv}")
    elif len(entries) > LEFT_BEHIND_SHOWN:
        console.print(
            f"… and {len(entries) - LEFT_BEHIND_SHOWN} more; --left-behind-csv FILE lists them all"
        )


def _values_are(count: int) -> str:
    return "1 value is" if count == 1 else f"{count} values are"


def _write_csv(path: Path, entries: list[LeftBehind]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("table", "row_id", "column", "key_id", "reason"))
        for entry in entries:
            writer.writerow(
                (entry.table, entry.row_id, entry.column, entry.key_id or "", entry.reason.value)
            )
