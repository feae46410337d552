"""Runs the benchmarks and prints one table of every figure beside its target.

Each suite runs in a child process, one after another: the pipeline first, while the
machine is fresh, then scaling, then the per-service suites at quick sizes that take about
five minutes together (intake: 20,000 rows of .csv on SQLite and PostgreSQL; ledger:
60,000 persons on PostgreSQL; charity and notify on SQLite). Each suite appends its figures
to one file (``WUSHE_BENCH_FIGURES``); a suite that is missing, fails or passes its time
limit is reported as failed, with its exit code and the end of its output, and the run
goes on. Results go to ``bench/results/``: ``<UTC time>.json`` and ``latest.json``, and
with the pipeline's points ``<UTC time>.png`` and ``latest.png``. The suites run on the
embedded broker unless KAFKA_BOOTSTRAP_SERVERS is set; their scratch PostgreSQL databases
are made on WUSHE_TEST_POSTGRES_URL's server (default: postgres@127.0.0.1:5432); charity
and notify run on CHARITY_DATABASE_URL and NOTIFY_DATABASE_URL when these are set. Exits 1
when a suite failed; figures that miss their targets do not change the exit code.

    .venv/bin/python bench/run.py                 # every suite
    .venv/bin/python bench/run.py ledger notify   # the named ones
"""

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from figures import FIGURES_FILE_VARIABLE, read_figures
from results_report import draw_chart, print_table, write_results
from rich.console import Console
from suite_process import INTERRUPTED, SuiteRun, run_suite

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Suite:
    name: str
    script: str
    options: tuple[str, ...]
    time_limit: float  # seconds, past which the suite is ended and reported failed


SUITES = (
    Suite("pipeline", "pipeline.py", (), 9 * 60),
    Suite("scaling", "scaling.py", (), 6 * 60),
    Suite("intake", "ledger_import.py",
          ("--rows", "20000", "--formats", "csv", "--databases", "sqlite,postgres"), 5 * 60),
    Suite("ledger", "ledger_ingest.py",
          ("--persons", "60000", "--database", "postgres", "--reads", "500"), 5 * 60),
    Suite("charity", "charity_donations.py",
          ("--seconds", "10", "--backlog", "300", "--entries", "100000"), 4 * 60),
    Suite("notify", "notify_delivery.py",
          ("--alerts", "2000", "--backlog", "300", "--seconds", "15"), 4 * 60),
)  # fmt: skip


def main() -> int:
    names = [suite.name for suite in SUITES]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suites", nargs="*", metavar="suite",
                        help=f"any of {', '.join(names)}; all when none is named")  # fmt: skip
    chosen = parser.parse_args().suites or names
    if unknown := set(chosen) - set(names):
        parser.error(f"no suite named {', '.join(sorted(unknown))}; the suites: {', '.join(names)}")
    # Piped (make's log, CI), rich would squeeze the table into 80 columns.
    console = Console() if sys.stdout.isatty() else Console(width=200)
    RESULTS.mkdir(exist_ok=True)
    started_at = datetime.now(UTC)
    stamp = started_at.strftime("%Y-%m-%dT%H-%M-%SZ")
    figures_file = RESULTS / f"{stamp}.figures.tmp"
    env = {**os.environ, FIGURES_FILE_VARIABLE: str(figures_file), "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    runs: list[SuiteRun] = []
    selected = [suite for suite in SUITES if suite.name in chosen]
    for suite in selected:
        command = [sys.executable, str(BENCH / suite.script), *suite.options]
        console.rule(f"{suite.name} ({len(runs) + 1} of {len(selected)}), "
                     f"{elapsed(started)} into the run")  # fmt: skip
        console.print(" ".join(command[1:]), style="dim", highlight=False)
        run = run_suite(suite.name, command, env, suite.time_limit, console)
        runs.append(run)
        outcome = run.ended_by or f"exit code {run.exit_code}"
        console.print(f"{suite.name}: {outcome} after {run.seconds:.0f} s "
                      f"({run.cpu_seconds:.0f} CPU-s); load average "
                      f"{run.load_before[0]:.2f} before, {run.load_after[0]:.2f} after",
                      style="bold red" if run.failed else "bold")  # fmt: skip
        if run.ended_by == INTERRUPTED:
            break
    figures, series = read_figures(figures_file)
    console.rule(f"{len(runs)} of {len(selected)} suites run in {elapsed(started)}")
    print_table(console, figures, runs)
    if runs[-1].ended_by != INTERRUPTED:
        seconds = time.monotonic() - started
        path = write_results(RESULTS, stamp, started_at, figures, series, runs, seconds)
        console.print(f"Results: {path} (and latest.json)")
        if "pipeline" in series:
            draw_chart(console, series, RESULTS, stamp)
    figures_file.unlink(missing_ok=True)
    return 1 if any(run.failed for run in runs) else 0


def elapsed(since: float) -> str:
    minutes, seconds = divmod(int(time.monotonic() - since), 60)
    return f"{minutes} min {seconds:02d} s"


if __name__ == "__main__":
    sys.exit(main())
