"""`wushe ledger rebuild`: replay the ledger's topics into a fresh database with a progress
bar, and optionally compare the result with the ledger's current database."""

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import make_url

from wushe.ledger.service_layer.projection_comparison import TableComparison, compare_databases
from wushe.ledger.service_layer.rebuild import RebuildSummary, rebuild
from wushe.shared.db import is_sqlite
from wushe.shared.settings import ServiceSettings

SQLITE_PREFIX = "sqlite+aiosqlite:///"


def default_target(settings: ServiceSettings, now: datetime | None = None) -> str:
    """A new SQLite file beside the ledger's database (or in the data folder when that
    database is not a file), named for the moment of the rebuild."""
    current = settings.resolved_database_url()
    database = make_url(current).database if current.startswith(SQLITE_PREFIX) else None
    folder = Path(database).parent if database else settings.data_dir.resolve()
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{SQLITE_PREFIX}{folder / f'ledger-rebuilt-{stamp}.db'}"


def run_rebuild(
    settings: ServiceSettings, target: str, batch_size: int, console: Console
) -> RebuildSummary:
    database = make_url(target).database if is_sqlite(target) else None
    if database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    columns = (TextColumn("[bold]replaying"), BarColumn(), MofNCompleteColumn(),
               TextColumn("events"), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("rebuild", total=None)

        def advance(replayed: int, total: int) -> None:
            progress.update(task, completed=replayed, total=total)

        summary = asyncio.run(rebuild(target, settings, progress=advance, batch_size=batch_size))
        progress.update(task, completed=summary.replayed, total=summary.total)
    return summary


def print_summary(summary: RebuildSummary, target: str, console: Console) -> None:
    console.print(
        f"{summary.applied} events applied in {summary.seconds:.1f} s "
        f"({summary.events_per_second:,.0f} events/s) into {target}"
    )
    console.print(
        f"of {summary.total} records: {summary.already_applied} already applied, "
        f"{summary.not_projected} of types the ledger does not project, "
        f"{summary.unreadable} unreadable, {len(summary.failed)} refused by a projector"
    )
    for event_id in summary.failed:
        console.print(f"[red]not applied: event {event_id} (see the log for the error)[/red]")


def compare_with_current(settings: ServiceSettings, target: str, console: Console) -> bool:
    """Print how the rebuilt database differs from the ledger's; True when it does not."""
    current = settings.resolved_database_url()
    comparisons = asyncio.run(compare_databases(current, target))
    table = Table(title="current ledger database (expected) against the rebuilt one")
    for column in ("table", "rows now", "rows rebuilt", "changed", "missing", "extra"):
        table.add_column(column)
    for comparison in comparisons:
        table.add_row(comparison.table, str(comparison.expected_rows),
                      str(comparison.found_rows), str(comparison.changed),
                      str(comparison.missing), str(comparison.extra))  # fmt: skip
    console.print(table)
    for comparison in comparisons:
        _print_examples(comparison, console)
    return not any(comparison.differences for comparison in comparisons)


def _print_examples(comparison: TableComparison, console: Console) -> None:
    for difference in comparison.examples:
        key = ", ".join(str(part) for part in difference.key)
        console.print(f"[yellow]{comparison.table} ({key}): {difference.kind}[/yellow]")
        for name in difference.columns:
            now = (difference.expected or {}).get(name)
            rebuilt = (difference.found or {}).get(name)
            console.print(f"  {name}: now {now!r}, rebuilt {rebuilt!r}")
    hidden = comparison.differences - len(comparison.examples)
    if hidden > 0:
        console.print(f"  … and {hidden} more differences in {comparison.table}")
