"""One benchmark run as a child process: its output shown as it comes and its end kept,
a time limit, and its whole process group (the broker and services it started) ended when
the limit passes or on Ctrl-C."""

import os
import resource
import signal
import subprocess
import threading
import time
from collections import deque
from contextlib import suppress
from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

TAIL_LINES = 15
TIME_LIMIT = "ended at its time limit"
INTERRUPTED = "interrupted"
# Long enough for a benchmark's cleanup: its services' shutdown, a scratch database dropped.
CLEANUP_SECONDS = 30.0
HEARTBEAT_SECONDS = 20.0  # a line saying the suite still runs after this long silent
POLL_SECONDS = 2.0


@dataclass
class SuiteRun:
    suite: str
    command: list[str]
    exit_code: int | None = None  # -N when a signal N ended it
    seconds: float = 0.0
    # Of the benchmark and every process it started and waited for (not PostgreSQL's):
    # unlike the seconds, what other work on the machine changes least.
    cpu_seconds: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    ended_by: str = ""  # TIME_LIMIT or INTERRUPTED when the runner ended it
    output_tail: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.exit_code != 0


def run_suite(
    suite: str, command: list[str], env: dict[str, str], time_limit: float, console: Console
) -> SuiteRun:
    """Runs ``command`` to its end or to ``time_limit`` seconds, printing its output with
    the suite's name and the time since it started, and a line when it is silent for long."""
    run = SuiteRun(suite, command, load_before=load_average())
    cpu_before = children_cpu_seconds()
    # A group of its own: the terminal's Ctrl-C reaches the runner alone, which then ends
    # the benchmark's group, its services and broker with it.
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, process_group=0
    )
    output = Output(suite, console)
    reader = threading.Thread(target=output.echo, args=(process,))
    reader.start()
    try:
        while not ended(process, POLL_SECONDS):
            if output.clock() >= time_limit:
                run.ended_by = TIME_LIMIT
                end_group(process)
            elif output.silent_for() >= HEARTBEAT_SECONDS:
                output.show("still running", style="dim")
    except KeyboardInterrupt:
        run.ended_by = INTERRUPTED
        end_group(process)
    finally:
        sweep_group(process)
        reader.join(timeout=10)
    run.exit_code = process.returncode
    run.seconds = round(output.clock(), 1)
    run.cpu_seconds = round(children_cpu_seconds() - cpu_before, 1)
    run.load_after = load_average()
    run.output_tail = list(output.tail)
    return run


class Output:
    """What a benchmark prints, shown as it comes with its suite and the time since it
    started; its last lines kept."""

    def __init__(self, suite: str, console: Console) -> None:
        self.suite = suite
        self.console = console
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.started = self.last_shown = time.monotonic()

    def clock(self) -> float:
        return time.monotonic() - self.started

    def silent_for(self) -> float:
        return time.monotonic() - self.last_shown

    def echo(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip()
            self.tail.append(line)
            self.show(line)

    def show(self, line: str, style: str = "") -> None:
        minutes, seconds = divmod(int(self.clock()), 60)
        prefix = Text(f"{self.suite} {minutes:02d}:{seconds:02d} ", style="dim")
        self.console.print(prefix + Text(line, style=style), highlight=False, soft_wrap=True)
        self.last_shown = time.monotonic()


def ended(process: subprocess.Popen[bytes], within: float) -> bool:
    try:
        process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        return False
    return True


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_average() -> tuple[float, float, float]:
    one, five, fifteen = (round(value, 2) for value in os.getloadavg())
    return one, five, fifteen


def end_group(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to the benchmark alone, so that it stops its services and broker in its own
    order and drops its databases, and SIGKILL to its group after ``CLEANUP_SECONDS``."""
    with suppress(ProcessLookupError):
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=CLEANUP_SECONDS)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def sweep_group(process: subprocess.Popen[bytes]) -> None:
    """Ends whatever the benchmark left running in its group after it exited."""
    if process.poll() is None:
        return
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
