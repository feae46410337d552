"""What `wushe rotate-keys` prints: a table per service, then what was left behind.

Whether an old key may be removed is only said when every service was walked: a key
that one service no longer uses may still seal another's values.
"""

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wushe.shared.key_rotation_report import LeftBehind, LeftBehindReason, RotationReport

LEFT_BEHIND_SHOWN = 50


@dataclass(frozen=True)
class RotationRun:
    reports: dict[str, RotationReport]
    """Keyed by service, in the order they were walked."""
    every_service: bool
    dry_run: bool

    @property
    def complete(self) -> bool:
        return all(report.complete for report in self.reports.values())

    @property
    def left_behind(self) -> list[tuple[str, LeftBehind]]:
        return [(service, entry) for service, report in self.reports.items()
                for entry in report.left_behind]  # fmt: skip

    @property
    def values_by_key_id(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for report in self.reports.values():
            total.update(report.values_by_key_id)
        return total

    @property
    def scope(self) -> str:
        """How far a statement about every value reaches: '' when every service was walked."""
        return "" if self.every_service else f" of {', '.join(self.reports)}"

    @property
    def command(self) -> str:
        if self.every_service:
            return "wushe rotate-keys"
        return " ".join(["wushe rotate-keys", *(f"--service {name}" for name in self.reports)])


def print_run(console: Console, run: RotationRun, left_behind_csv: Path | None) -> None:
    for service, report in run.reports.items():
        if run.dry_run:
            _print_key_counts(console, service, report)
        else:
            _print_rotation(console, service, report)
    if run.dry_run:
        _print_key_summary(console, run)
    elif run.complete and run.reports:
        current = next(iter(run.reports.values())).current_key_id
        console.print(f"every value{run.scope} is under key {current!r}")
    _print_left_behind(console, run, left_behind_csv)


def _print_rotation(console: Console, service: str, report: RotationReport) -> None:
    table = Table(title=f"{service}: re-encrypted under key {report.current_key_id!r}")
    for heading in ("column", "re-encrypted", "already on the current key",
                    "under unknown keys", "damaged"):  # fmt: skip
        table.add_column(heading, justify="left" if heading == "column" else "right")
    for column, tally in report.columns.items():
        table.add_row(column, str(tally.reencrypted), str(tally.already_current),
                      str(tally.unknown_key), str(tally.damaged))  # fmt: skip
    console.print(table)


def _print_key_counts(console: Console, service: str, report: RotationReport) -> None:
    found = report.values_by_key_id
    key_ids = sorted(found, key=lambda key_id: (key_id != report.current_key_id, key_id))
    table = Table(title=f"{service}: values per key id")
    table.add_column("column")
    for key_id in key_ids:
        table.add_column(escape(_key_heading(key_id, report)), justify="right")
    table.add_column("not sealed", justify="right")
    for column, tally in report.columns.items():
        table.add_row(
            column, *(str(tally.by_key_id[key_id]) for key_id in key_ids), str(tally.damaged)
        )
    console.print(table)


def _print_key_summary(console: Console, run: RotationRun) -> None:
    if not run.reports:
        return
    console.print("dry run: nothing was changed")
    first = next(iter(run.reports.values()))
    current, configured = first.current_key_id, first.configured_key_ids
    found = run.values_by_key_id
    older = {key_id: count for key_id, count in found.items() if key_id != current}
    if older:
        listed = ", ".join(
            f"{escape(repr(key_id))} ({count})" for key_id, count in sorted(older.items())
        )
        console.print(
            f"{_values_are(sum(older.values()))} under keys other than the current "
            f"{current!r}: {listed}; run `{run.command}`"
        )
    else:
        console.print(f"every value{run.scope} is under the current key {current!r}")
    unused = sorted(set(configured) - set(found) - {current})
    if not unused:
        return
    named = ", ".join(map(repr, unused))
    if run.every_service:
        console.print(f"no value is under {named}: it can be removed from WUSHE_ENCRYPTION_KEYS")
    else:
        console.print(
            f"no value{run.scope} is under {named}; before removing it from "
            "WUSHE_ENCRYPTION_KEYS, `wushe rotate-keys --dry-run` shows whether another "
            "service still has values under it"
        )


def _key_heading(key_id: str, report: RotationReport) -> str:
    if key_id == report.current_key_id:
        return f"{key_id} (current)"
    if key_id not in report.configured_key_ids:
        return f"{key_id} (not configured)"
    return key_id


def _print_left_behind(console: Console, run: RotationRun, left_behind_csv: Path | None) -> None:
    entries = run.left_behind
    if not entries:
        return
    missing = sorted({key for report in run.reports.values() for key in report.missing_key_ids})
    for key_id in missing:
        count = sum(1 for _, entry in entries if entry.key_id == key_id
                    and entry.reason is LeftBehindReason.UNKNOWN_KEY)  # fmt: skip
        console.print(
            f"[red]{_values_are(count)} under key {escape(repr(key_id))}, which is not "
            "configured in WUSHE_ENCRYPTION_KEYS: unreadable, so left as is. Add that key "
            "to WUSHE_ENCRYPTION_KEYS and run again.[/red]"
        )
    damaged = sum(1 for _, entry in entries if entry.reason is LeftBehindReason.DAMAGED)
    if damaged:
        console.print(
            f"[red]{_values_are(damaged)} damaged (not in the sealed form, or not opening "
            "with the key named), so left as is.[/red]"
        )
    changing = sum(1 for _, entry in entries if entry.reason is LeftBehindReason.KEPT_CHANGING)
    if changing:
        console.print(
            f"[yellow]{_values_are(changing)} left for the next run: other writers changed "
            "them at every attempt.[/yellow]"
        )
    table = Table(title="values left as they are")
    for heading in ("service", "table", "row id", "column", "key id", "reason"):
        table.add_column(heading)
    for service, entry in entries[:LEFT_BEHIND_SHOWN]:
        table.add_row(service, entry.table, escape(entry.row_id), entry.column,
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


def _write_csv(path: Path, entries: list[tuple[str, LeftBehind]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("service", "table", "row_id", "column", "key_id", "reason"))
        for service, entry in entries:
            writer.writerow((service, entry.table, entry.row_id, entry.column,
                             entry.key_id or "", entry.reason.value))  # fmt: skip
