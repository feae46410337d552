"""Where a machine's CPU time went over a stretch of a benchmark: each replica of the
service measured, the processes of shared programs (the database's backends, the
broker), and the machine as a whole (Linux, from /proc; None elsewhere).

On a machine whose cores are all busy, a second replica can only take CPU time from
the first one, from the database or from the broker: these figures show which.
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

from one_service import cpu_seconds


def busy_cpu_seconds() -> float | None:
    """CPU time the whole machine has spent on anything but idling, all cores added."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def programs_cpu_seconds(programs: dict[str, str]) -> dict[str, dict[int, float]]:
    """CPU time of each running process of the programs, by program and pid. A program
    is named by what its processes' command lines contain: PostgreSQL's backends show
    the database they serve there, the broker its listener; other benchmarks' are left
    out."""
    found: dict[str, dict[int, float]] = {label: {} for label in programs}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        for label, mark in programs.items():
            spent = cpu_seconds(int(entry.name)) if mark in command else None
            if spent is not None:
                found[label][int(entry.name)] = spent
    return found


@dataclass(frozen=True)
class CpuSpent:
    seconds: float  # wall time
    replicas: list[float | None]  # CPU-seconds of each replica, in the order given
    programs: dict[str, float]  # CPU-seconds of each shared program
    machine: float | None  # CPU-seconds of all cores together

    @property
    def busy_cores(self) -> float | None:
        return None if self.machine is None else self.machine / self.seconds


class CpuWindow:
    """CPU time spent from its creation to each call of ``spent``."""

    def __init__(self, replica_pids: list[int], programs: dict[str, str]) -> None:
        """``programs``: label -> what its processes' command lines contain."""
        self._pids = replica_pids
        self._marks = programs
        self._started = time.perf_counter()
        self._replicas = [cpu_seconds(pid) for pid in replica_pids]
        self._programs = programs_cpu_seconds(programs)
        self._machine = busy_cpu_seconds()

    def spent(self) -> CpuSpent:
        replicas = [
            None if before is None or now is None else now - before
            for before, now in zip(
                self._replicas, (cpu_seconds(pid) for pid in self._pids), strict=True
            )
        ]
        programs = {
            # A process started within the window counts from zero.
            label: sum(now - self._programs[label].get(pid, 0.0) for pid, now in pids.items())
            for label, pids in programs_cpu_seconds(self._marks).items()
        }
        machine = busy_cpu_seconds()
        return CpuSpent(
            seconds=time.perf_counter() - self._started,
            replicas=replicas,
            programs=programs,
            machine=None if machine is None or self._machine is None else machine - self._machine,
        )
