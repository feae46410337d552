"""`wushe charity reconcile`: recompute charity's balances from its journal (and the time
bank's and the goods' from their movements) and print every difference."""

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# Imported when the command runs, so that the rest of the CLI starts without them.
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from wushe.charity.service_layer.reconcile import Reconciliation

charity_app = typer.Typer(help="Operate charity's books.")
console = Console()

# Exit status when the books could not be read at all (1 is for differences found).
CANNOT_RECONCILE = 2
SHOWN = 500


@charity_app.command("reconcile")
def reconcile_command(
    database_url: Annotated[
        str,
        typer.Option(help="Charity's database; default CHARITY_DATABASE_URL, DATABASE_URL "
                     "or data/charity.db"),
    ] = "",
) -> None:  # fmt: skip
    """Recompute every account balance from the journal lines and compare it with the
    cached one; check that every entry sums to zero, that no holding account is below
    zero and holds what its donations have not paid out, and that time-bank balances and
    goods stock match their movements. The exit status is 1 when anything differs."""
    import time

    from sqlalchemy.engine import make_url

    from wushe.shared.settings import service_settings

    url = database_url or service_settings("charity").resolved_database_url()
    shown = make_url(url).render_as_string(hide_password=True)
    started = time.perf_counter()
    try:
        _refuse_missing(url)
        found = asyncio.run(_reconcile(url))
    except CannotReconcile as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(CANNOT_RECONCILE) from None
    seconds = time.perf_counter() - started
    console.print(
        f"charity database {shown}: {found.entries:,} journal entries, "
        f"{found.journal_lines:,} lines, {found.accounts:,} accounts in {seconds:.1f} s"
    )
    if found.clean:
        console.print("[green]every balance matches its entries; every entry sums to zero[/green]")
        return
    table = Table(title=f"{len(found.differences)} differences")
    for heading in ("check", "fund / region", "account / subject"):
        table.add_column(heading)
    for heading in ("cached", "recomputed", "difference"):
        table.add_column(heading, justify="right")
    for difference in found.differences[:SHOWN]:
        table.add_row(
            difference.check, difference.fund, difference.subject, f"{difference.cached:,}",
            f"{difference.recomputed:,}", f"{difference.difference:+,}",
        )  # fmt: skip
    console.print(table)
    if len(found.differences) > SHOWN:
        console.print(f"… and {len(found.differences) - SHOWN:,} more differences")
    console.print("[red]amounts in fen (time bank: minutes); cached minus recomputed[/red]")
    raise typer.Exit(1)


class CannotReconcile(RuntimeError):
    pass


async def _reconcile(url: str) -> "Reconciliation":
    from wushe.charity.service_layer.reconcile import reconcile
    from wushe.shared.db import create_engine, session_factory

    engine = create_engine(url)
    try:
        await _refuse_unmigrated(engine, url)
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("checks"), TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("reconciling", total=None)

            def show(step: str, done: int, total: int) -> None:
                progress.update(task, description=step, completed=done, total=total)

            return await reconcile(session_factory(engine), show)
    finally:
        await engine.dispose()


def _refuse_missing(url: str) -> None:
    from sqlalchemy.engine import make_url

    from wushe.shared.db import is_sqlite

    database = make_url(url).database
    if is_sqlite(url) and database and database != ":memory:" and not Path(database).exists():
        raise CannotReconcile(f"charity has no database at {database}")


async def _refuse_unmigrated(engine: "AsyncEngine", url: str) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from wushe import charity
    from wushe.shared.migrations import alembic_config

    async with engine.connect() as connection:
        applied = await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads())
        )
    # Charity's own migrations, without importing its whole app through bootstrap.
    migrations = Path(charity.__file__).parent / "migrations"
    expected = set(ScriptDirectory.from_config(alembic_config(migrations, url)).get_heads())
    if applied != expected:
        raise CannotReconcile(
            f"charity's database is at revision {', '.join(sorted(applied)) or 'none'}, this "
            f"code expects {', '.join(sorted(expected))}: start charity once (wushe serve "
            "charity) so that it migrates its database, then run again"
        )
