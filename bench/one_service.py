"""What the benchmarks that run one service alone share: a scratch database for each
backend, the CPU time a process has spent, and percentiles of measured times."""

import asyncio
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.infrastructure import drop_databases, postgres_available, recreate_databases


@contextmanager
def scratch_database(database: str, service: str) -> Iterator[str | None]:
    """ "" for SQLite (the caller puts a file in its data directory); for PostgreSQL the
    URL of a fresh database, dropped afterwards, or None when PostgreSQL is not reachable."""
    if database != "postgres":
        yield ""
        return
    if not postgres_available():
        print("PostgreSQL not reachable: skipped", file=sys.stderr)
        yield None
        return
    name = f"wushe_bench_{service}_{time.time_ns() % 10**8}"
    url = asyncio.run(recreate_databases([name]))[name]
    try:
        yield url
    finally:
        asyncio.run(drop_databases([name]))


def cpu_seconds(pid: int, *, with_ended_children: bool = False) -> float | None:
    """User and system CPU time of a process, from /proc (Linux), and with
    ``with_ended_children`` that of its children that have ended; None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime, stime, cutime, cstime: fields 14-17 of proc_pid_stat(5), in clock ticks.
    ticks = fields[11:15] if with_ended_children else fields[11:13]
    return sum(int(value) for value in ticks) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    """The measured value below which ``share`` of them lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
