"""`wushe rotate-keys`: re-encrypt every service's sealed personal data under the current
key, on the databases the services themselves use; `wushe intake rotate-keys` is the same
for intake alone.

This module is imported whenever `wushe` starts, so the services and the database
libraries are imported only when a rotation runs.
"""

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from wushe.shared.settings import SERVICE_NAMES

if TYPE_CHECKING:
    from wushe.cli.key_rotation_output import RotationRun


class ServiceChoice(StrEnum):
    INTAKE = "intake"
    LEDGER = "ledger"
    CHARITY = "charity"
    NOTIFY = "notify"
    ALL = "all"


class CannotRotate(RuntimeError):
    pass


def run_key_rotation(
    console: Console, *, dry_run: bool, batch_size: int, left_behind_csv: Path | None,
    services: tuple[str, ...] = ("intake",),
) -> "RotationRun":  # fmt: skip
    """Rotate (or, with ``dry_run``, count) and print the summary; raises CannotRotate,
    before any database is changed, when the keys or a database are not usable."""
    from wushe.cli.key_rotation_run import run_services

    return run_services(
        console, services, dry_run=dry_run, batch_size=batch_size, left_behind_csv=left_behind_csv
    )


def register(app: typer.Typer, console: Callable[[], Console]) -> None:
    """Add `rotate-keys` to ``app``; ``console`` is looked up at each run."""

    @app.command("rotate-keys")
    def rotate_keys(
        service: Annotated[
            ServiceChoice, typer.Option(help="The service whose data to rotate, or all")
        ] = ServiceChoice.ALL,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Only count the values under each key id")
        ] = False,
        batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction")] = 1000,
        left_behind_csv: Annotated[
            Path | None,
            typer.Option(
                dir_okay=False, help="Write every value that could not be re-encrypted here"
            ),
        ] = None,
    ) -> None:
        """Re-encrypt the sealed personal data of every service under the current key
        (WUSHE_ENCRYPTION_KEY_ID).

        Values under other configured keys are re-encrypted; values under keys that are not
        configured are listed and left as they are, and the exit status is then 1."""
        chosen = SERVICE_NAMES if service is ServiceChoice.ALL else (service.value,)
        shown = console()
        try:
            run = run_key_rotation(shown, dry_run=dry_run, batch_size=batch_size,
                                   left_behind_csv=left_behind_csv, services=chosen)  # fmt: skip
        except CannotRotate as error:
            shown.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from None
        if not run.complete:
            raise typer.Exit(1)
