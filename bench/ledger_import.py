"""A station ledger of 100,000 people imported through intake's API, on SQLite and on
PostgreSQL, from .xlsx and from .csv.

Generates realistic rows once (valid ID numbers of real counties, real village codes,
Chinese names, every target group), starts the broker (embedded unless
KAFKA_BOOTSTRAP_SERVERS is set) and intake alone, uploads the file and follows the job.
Prints, per database and format: seconds and rows per second to import; the CPU seconds
that intake, its worker processes and its relay spent meanwhile (not the broker's nor
PostgreSQL's), which other work on the machine changes far less than the seconds; the
seconds until intake's relay had published every `person.registered`; and the seconds to
import the same file again (nothing is created twice). Targets: under 30 s on SQLite and
under 45 s on PostgreSQL for 100,000 rows.

    .venv/bin/python bench/ledger_import.py                  # 100,000 rows, both formats
    .venv/bin/python bench/ledger_import.py --rows 20000 --formats csv --databases sqlite
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from figures import Figure, record
from one_service import cpu_seconds, scratch_database

from support.infrastructure import free_port, kafka_bootstrap, recreate_databases
from support.ledger_generator import LedgerGenerator, write_csv, write_xlsx
from wushe.cli.stack import Stack
from wushe.shared.auth import Role, mint_token
from wushe.shared.settings import Settings

TARGET_SECONDS = {"sqlite": 30.0, "postgres": 45.0}
TARGET_ROWS = 100_000
CACHE = Path(__file__).resolve().parent / ".cache"


def ledger(rows: int, kind: str) -> Path:
    """The generated ledger, made once and kept for later runs."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"ledger-{rows}.{kind}"
    if not path.exists():
        started = time.perf_counter()
        writer = write_xlsx if kind == "xlsx" else write_csv
        writer(path, LedgerGenerator().rows(rows), title="凤凰街道服务对象台账")
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def follow(client: httpx.Client, path: Path) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    with path.open("rb") as handle:
        response = client.post("/imports", files={"file": (path.name, handle)})
    response.raise_for_status()
    job: dict[str, Any] = response.json()
    while job["status"] == "running":
        time.sleep(0.2)
        job = client.get(f"/imports/{job['job_id']}").json()
    return job, time.perf_counter() - started


def backlog(client: httpx.Client) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("wushe_outbox_backlog"):
            return float(line.rsplit(" ", 1)[1])
    return float("nan")


def measure(
    database: str, url: str, bootstrap: str, files: list[Path], rows: int
) -> list[dict[str, Any]]:
    figures = []
    for path in files:
        with tempfile.TemporaryDirectory() as data_dir:
            database_url = url or f"sqlite+aiosqlite:///{data_dir}/intake.db"
            settings = Settings(data_dir=Path(data_dir))
            stack = Stack(settings, ports={"intake": free_port()}, log_dir=Path(data_dir))
            stack.start_service("intake", {
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "WUSHE_DATA_DIR": data_dir,
                "WUSHE_TOPIC_PREFIX": f"bench{time.time_ns()}.", "WUSHE_LOG_LEVEL": "WARNING",
                "INTAKE_DATABASE_URL": database_url, "WUSHE_REGION_CODE": "420700",
            })  # fmt: skip
            try:
                stack.wait_ready(("intake",), timeout=90)
                token = mint_token(
                    settings, subject="bench", role=Role.STATION_STAFF, region="420700"
                )
                bearer = {"Authorization": f"Bearer {token}"}
                with httpx.Client(
                    base_url=stack.url("intake"), headers=bearer, timeout=600
                ) as client:
                    started = time.perf_counter()
                    # With its ended children: the import's workers end with the job.
                    pid = stack.processes["intake"].pid
                    cpu_before = cpu_seconds(pid, with_ended_children=True)
                    job, seconds = follow(client, path)
                    cpu_after = cpu_seconds(pid, with_ended_children=True)
                    while backlog(client) > 0:
                        time.sleep(0.2)
                    published = time.perf_counter() - started
                    again, again_seconds = follow(client, path)
            finally:
                stack.stop_all()
        if url:
            asyncio.run(recreate_databases([url.rsplit("/", 1)[1]]))
        assert job["accepted"] == rows and again["already_present"] == rows, (job, again)
        figures.append({
            "database": database, "format": path.suffix[1:], "rows": rows,
            "import_seconds": round(seconds, 1), "rows_per_second": round(rows / seconds),
            "import_cpu_seconds": (
                None if cpu_before is None or cpu_after is None
                else round(cpu_after - cpu_before, 1)
            ),
            "target_seconds": TARGET_SECONDS[database] * rows / TARGET_ROWS,
            "all_events_published_seconds": round(published, 1),
            "reimport_seconds": round(again_seconds, 1),
        })  # fmt: skip
        print(json.dumps(figures[-1], ensure_ascii=False), file=sys.stderr)
    return figures


def as_figures(measured: dict[str, Any]) -> list[Figure]:
    """The import's seconds against the target at 100,000 rows; its rate against the rate
    that target implies when fewer rows were imported."""
    database = {"postgres": "PostgreSQL", "sqlite": "SQLite"}[measured["database"]]
    what = f"{database}, .{measured['format']}"
    rows, seconds = measured["rows"], measured["import_seconds"]
    target_seconds = TARGET_SECONDS[measured["database"]]
    cpu = measured["import_cpu_seconds"]
    conditions = f"{rows:,} rows in {seconds} s, intake CPU {'unknown' if cpu is None else cpu} s"
    if rows == TARGET_ROWS:
        imported = Figure("intake", f"import, {what}", seconds, "s", target_seconds, "lower",
                          conditions)  # fmt: skip
    else:
        imported = Figure(
            "intake", f"import, {what}", measured["rows_per_second"], "rows/s",
            round(TARGET_ROWS / target_seconds), "higher",
            f"{conditions}; target: {TARGET_ROWS:,} rows in {target_seconds:.0f} s",
        )  # fmt: skip
    return [
        imported,
        Figure("intake", f"every person.registered published, {what}",
               measured["all_events_published_seconds"], "s", note=f"{rows:,} rows, from upload"),
        Figure("intake", f"import again (nothing created), {what}", measured["reimport_seconds"],
               "s", note=f"{rows:,} rows"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    files = [ledger(args.rows, kind) for kind in args.formats.split(",")]
    figures = []
    with kafka_bootstrap() as bootstrap:
        for database in args.databases.split(","):
            with scratch_database(database, "intake") as url:
                if url is not None:
                    figures += measure(database, url, bootstrap, files, args.rows)
    record(figure for measured in figures for figure in as_figures(measured))
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
