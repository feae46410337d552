"""What a run of the benchmarks leaves: one table of every figure beside its target, the
results as JSON and, with the pipeline's points, a chart, in ``bench/results/``."""

import json
import os
import subprocess
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from figures import Figure
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import make_url
from suite_process import SuiteRun

# What chooses the broker and the databases the benchmarks run on.
ENVIRONMENT_VARIABLES = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_ENABLE_IDEMPOTENCE",
    "WUSHE_TEST_POSTGRES_URL",
    "DATABASE_URL",
    "INTAKE_DATABASE_URL",
    "LEDGER_DATABASE_URL",
    "CHARITY_DATABASE_URL",
    "NOTIFY_DATABASE_URL",
)
OUTPUT_LINES_IN_TABLE = 5


def print_table(console: Console, figures: list[Figure], runs: list[SuiteRun]) -> None:
    table = Table(title="Benchmark figures")
    for column in ("suite", "figure", "value", "unit", "target", "met", "note"):
        justify = "right" if column in ("value", "target") else "left"
        table.add_column(column, justify=justify, overflow="fold")
    missed = Text("no", style="bold red")
    for run in runs:
        for figure in (figure for figure in figures if figure.suite == run.suite):
            met = "" if figure.target is None else "yes" if figure.met else missed
            table.add_row(figure.suite, Text(figure.name), number(figure.value), figure.unit,
                          target(figure), met, Text(figure.note))  # fmt: skip
        if run.failed:
            table.add_row(run.suite, Text("failed", style="bold red"), "", "", "", missed,
                          Text(failure(run)))  # fmt: skip
        elif not any(figure.suite == run.suite for figure in figures):
            table.add_row(run.suite, "no figure recorded")
    console.print(table)


def number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:,.3g}"


def target(figure: Figure) -> str:
    if figure.target is None:
        return ""
    side = {"higher": "≥ ", "lower": "≤ "}.get(figure.better or "", "")
    return side + number(figure.target)


def failure(run: SuiteRun) -> str:
    ended = run.ended_by or f"exit code {run.exit_code}"
    tail = "\n".join(run.output_tail[-OUTPUT_LINES_IN_TABLE:])
    return f"{ended} after {run.seconds:.0f} s; its output ends with:\n{tail}"


def write_results(
    directory: Path,
    stamp: str,
    started_at: datetime,
    figures: list[Figure],
    series: dict[str, Any],
    runs: list[SuiteRun],
    seconds: float,
) -> Path:
    """``<stamp>.json`` and ``latest.json`` in ``directory``; returns the first."""
    results = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "commit": commit(),
        "cpu_count": os.cpu_count(),
        "environment": {name: shown(os.environ.get(name)) for name in ENVIRONMENT_VARIABLES},
        "suites": [suite_results(run) for run in runs],
        "figures": [asdict(figure) | {"met": figure.met} for figure in figures],
        "series": series,
    }
    text = json.dumps(results, ensure_ascii=False, indent=2) + "\n"
    path = directory / f"{stamp}.json"
    path.write_text(text, encoding="utf-8")
    (directory / "latest.json").write_text(text, encoding="utf-8")
    if "pipeline" not in series:
        # latest.png shows the run latest.json describes; an earlier run keeps its own.
        (directory / "latest.png").unlink(missing_ok=True)
    return path


def suite_results(run: SuiteRun) -> dict[str, Any]:
    """What the run of one suite was; the end of its output when it failed."""
    results = asdict(run) | {"failed": run.failed}
    if not run.failed:
        del results["output_tail"]
    return results


def shown(value: str | None) -> str | None:
    """The variable's value, with the password of a database URL hidden."""
    if value is None or "://" not in value or "@" not in value:
        return value
    try:
        return make_url(value).render_as_string(hide_password=True)
    except Exception:
        return value.split("://", 1)[0] + "://***"


def commit() -> dict[str, Any]:
    def git(*arguments: str) -> str:
        answer = subprocess.run(["git", *arguments], capture_output=True, text=True,
                                cwd=Path(__file__).resolve().parent, check=False)  # fmt: skip
        return answer.stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return {"id": git("rev-parse", "HEAD") or None, "changed_files": bool(changed)}


def draw_chart(console: Console, series: dict[str, Any], directory: Path, stamp: str) -> None:
    """The pipeline's chart of its points in ``series``, ``<stamp>.png`` and ``latest.png``,
    when its module is here."""
    try:
        from pipeline_chart import draw
    except ImportError as missing:
        console.print(f"No chart: {missing}")
        return
    path = directory / f"{stamp}.png"
    draw(series, path)
    (directory / "latest.png").write_bytes(path.read_bytes())
    console.print(f"Chart: {path}")
