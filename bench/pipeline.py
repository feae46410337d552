"""The whole pipeline against its limit: registrations entering intake, through its bulk
path and through its API, until their alerts reach a partner's webhook receiver.

Starts the broker (embedded unless KAFKA_BOOTSTRAP_SERVERS is set), then:

1. the limit: a bare aiokafka produce->consume loop on that broker with events of the
   size of intake's `person.registered` (bench/pipeline_bare_loop.py);
2. intake, ledger and notify as processes (SQLite unless `<SERVICE>_DATABASE_URL` is
   set), a partner of the region subscribed to `ledger.file_opened`, and its receiver
   (bench/webhook_sink.py) in a process of its own;
3. for each path (`bulk`: a small .csv ledger on `POST /imports` every half second;
   `http`: one `POST /persons` per registration, open loop), fixed offered loads of 100,
   500, 1,000 and 2,000 registrations a second (`--step-seconds` each), then more than the
   pipeline can take (`--max-seconds`), each step drained before the next.

Each step reports the rate actually offered, the alerts arriving at the receiver per
second once the step has settled (achieved), the latency from intake's acceptance (the
`occurred_at` of the person's `person.registered`, which the ledger keeps as the file's
`opened_at`) to the alert's arrival, p50/p95/p99, and the CPU seconds each process spent.
A step the pipeline could not keep up with is marked beyond capacity, with its backlog:
its latency is then mostly queueing. Targets: the maximum sustained rate at least a
tenth of the bare loop's; p99 under 250 ms at 1,000 registrations a second.

    .venv/bin/python bench/pipeline.py --results bench/results
    .venv/bin/python bench/pipeline.py --paths http --step-seconds 5 --max-seconds 15
    .venv/bin/python bench/pipeline.py --paths bulk --profile bench/results   # and py-spy
    .venv/bin/python bench/pipeline.py --paths bulk --loads 1000 --keep /tmp/run
    .venv/bin/python bench/pipeline_latency.py /tmp/run/traces.jsonl   # where latency goes
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from figures import Figure, record
from one_service import cpu_seconds, percentile
from pipeline_bare_loop import BareLoop, measure_bare_loop
from pipeline_load import Intake, Offered, Registrations, import_outcome, offer_bulk, offer_http
from pipeline_stack import (
    SERVICES,
    Arrivals,
    Pipeline,
    published_size,
    registered_at,
    running_pipeline,
)

from support.infrastructure import kafka_bootstrap
from wushe.shared.auth import Role
from wushe.shared.events import topics

SUITE = "pipeline"
LOADS = (100.0, 500.0, 1000.0, 2000.0)
TARGET_RATIO = 0.10
TARGET_P99_MS = 250.0
TARGET_LOAD = 1000.0  # where the p99 target applies
# Offered in the maximum run: more than either path has taken on this machine.
MAX_OFFERED = {"bulk": 4000.0, "http": 4000.0}
PATHS = tuple(MAX_OFFERED)
SETTLE_SECONDS = {"fixed": 3.0, "max": 10.0}
DRAIN_SECONDS = 20.0  # the most a step waits for its last alerts
QUIET_SECONDS = 3.0  # no alert for this long: nothing more is coming
# Whose CPU a registration costs; the bench and the receiver are the measuring.
PIPELINE_PROCESSES = ("broker", "intake", "ledger", "notify")


@dataclass
class Step:
    path: str
    offered: float  # registrations a second the step aimed at
    label: str  # "100/s" ... or "max"
    sent_per_second: float = 0.0  # what intake took
    achieved: float = 0.0  # alerts a second at the receiver, once settled
    p50: float | None = None  # ms, intake's acceptance to the alert's arrival
    p95: float | None = None
    p99: float | None = None
    registrations: int = 0
    delivered: int = 0
    held_back: int = 0
    failed: int = 0
    backlog_at_end: int = 0  # sent, not yet delivered, when the offering stopped
    undelivered: int = 0  # still missing after the drain
    beyond_capacity: bool = False
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    offered_from: float = 0.0  # epoch seconds: when the offering began and ended
    offered_until: float = 0.0

    @property
    def per_cpu_second(self) -> float | None:
        """Registrations taken per CPU-second of the pipeline's processes while offered."""
        spent = sum(self.cpu_seconds.get(name, 0.0) for name in PIPELINE_PROCESSES)
        return self.registrations / spent if spent else None

    def point(self) -> dict[str, Any]:
        return {
            "offered": self.offered, "achieved": round(self.achieved, 1),
            "p50": self.p50, "p95": self.p95, "p99": self.p99, "label": self.label,
            "sent": round(self.sent_per_second, 1), "beyond_capacity": self.beyond_capacity,
            "backlog": self.backlog_at_end,
        }  # fmt: skip


class ProcessCpu:
    """CPU seconds of the pipeline's processes (and the broker, a child of this one)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pids = pipeline.pids() | broker_pids() | {"bench": os.getpid()}
        self.last = self.sample()

    def sample(self) -> dict[str, float]:
        found = {
            name: cpu_seconds(pid, with_ended_children=True) for name, pid in self.pids.items()
        }
        return {name: spent for name, spent in found.items() if spent is not None}

    def spent(self) -> dict[str, float]:
        now = self.sample()
        spent = {name: round(now[name] - self.last.get(name, 0.0), 1) for name in now}
        self.last = now
        return spent


def broker_pids() -> dict[str, int]:
    """The embedded broker, when this process started it."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:
            continue
        name, fields = rest.rsplit(")", 1)
        if int(fields.split()[1]) == os.getpid() and "tansu" in name:
            found["broker"] = int(pid)
    return found


@dataclass
class Runner:
    """What every step shares: the intake client, the followed arrivals, the limits."""

    intake: Intake
    arrivals: Arrivals
    cpu: ProcessCpu
    ledger_url: str
    backlog_cap: int
    in_flight: int
    paths: list[str]
    services: dict[str, int]  # pid by service, for profiling
    profile: Path | None = None  # where the maximum run's py-spy samples go


async def profile_maximum(runner: Runner, path: str, seconds: float) -> None:
    """Samples the services once the maximum run has settled, until it ends: in
    ``profile`` when one path runs, else in a folder per path."""
    from pipeline_profile import profiling

    assert runner.profile is not None
    folder = runner.profile if len(runner.paths) == 1 else runner.profile / path
    sampled = seconds - SETTLE_SECONDS["max"]
    if sampled < 1:
        return
    await asyncio.sleep(SETTLE_SECONDS["max"])

    def sample() -> None:
        with profiling(runner.services, folder, sampled):
            time.sleep(sampled)

    await asyncio.to_thread(sample)


async def run_step(
    step: Step, kind: str, seconds: float, runner: Runner, people: Registrations
) -> Step:
    arrivals, intake = runner.arrivals, runner.intake
    base = len(arrivals.order)

    def outstanding(sent: int) -> int:
        return sent - (len(arrivals.order) - base)

    runner.cpu.spent()
    started = time.time()
    profiled = None
    if kind == "max" and runner.profile is not None:
        profiled = asyncio.create_task(profile_maximum(runner, step.path, seconds))
    if step.path == "bulk":
        offered = await offer_bulk(
            intake, people, step.offered, seconds, outstanding, runner.backlog_cap
        )
    else:
        offered = await offer_http(
            intake, people, step.offered, seconds, outstanding, runner.backlog_cap,
            runner.in_flight,
        )  # fmt: skip
    ended = time.time()
    step.offered_from, step.offered_until = started, ended
    step.backlog_at_end = max(0, outstanding(offered.sent))
    step.cpu_seconds = runner.cpu.spent()
    if profiled is not None:
        await profiled
    await drain(arrivals, base, offered)
    if step.path == "bulk":
        await import_outcome(intake, offered)
    settle = min(SETTLE_SECONDS[kind], (ended - started) / 2)
    step.achieved = arrivals.between(started + settle, ended) / (ended - started - settle)
    step.registrations, step.sent_per_second = offered.sent, offered.per_second
    step.held_back, step.failed = offered.held_back, offered.failed
    latencies = await latencies_of(arrivals.since(started), runner.ledger_url, started)
    step.delivered = len(latencies)
    if latencies:
        step.p50 = round(statistics.median(latencies), 1)
        step.p95 = round(percentile(latencies, 0.95), 1)
        step.p99 = round(percentile(latencies, 0.99), 1)
    step.undelivered = max(0, offered.sent - step.delivered)
    step.beyond_capacity = (
        kind == "max" or offered.held_back > 0 or step.achieved < 0.9 * step.offered
        or step.undelivered > 0
    )  # fmt: skip
    return step


async def drain(arrivals: Arrivals, base: int, offered: Offered) -> None:
    """Until every registration the step sent has its alert, nothing arrives for a while,
    or DRAIN_SECONDS have passed."""
    deadline = time.monotonic() + DRAIN_SECONDS
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(arrivals.order) - base
        if count >= offered.sent:
            return
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > QUIET_SECONDS:
            return
        await asyncio.sleep(0.2)


async def latencies_of(arrived: dict[str, float], ledger_url: str, started: float) -> list[float]:
    """Milliseconds from intake's acceptance to the alert's arrival, for the step's
    registrations: a person registered before the step began is an earlier straggler."""
    registered = await registered_at(ledger_url, list(arrived))
    return [(arrived[person] - at) * 1000 for person, at in registered.items() if at >= started]


async def warm_up(runner: Runner, people: Registrations) -> None:
    """A few registrations through each path, until their alerts arrive: the consumers
    have joined their groups and each path's first use is behind us."""
    intake, cap = runner.intake, runner.backlog_cap
    for path in ("bulk", "http"):
        base = len(runner.arrivals.order)
        if path == "bulk":
            offered = await offer_bulk(intake, people, 10.0, 1.0, lambda sent: 0, cap)
        else:
            offered = await offer_http(
                intake, people, 10.0, 1.0, lambda sent: 0, cap, runner.in_flight
            )
        deadline = time.monotonic() + 120
        while len(runner.arrivals.order) - base < offered.sent:
            if time.monotonic() > deadline:
                raise SystemExit(f"warm-up: alerts missing after 120 s through the {path} path")
            await asyncio.sleep(0.2)


async def measure_paths(pipeline: Pipeline, args: argparse.Namespace) -> dict[str, list[Step]]:
    token = pipeline.token(Role.STATION_STAFF)
    connector = aiohttp.TCPConnector(limit=args.in_flight + 16)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        intake = Intake(pipeline.stack.url("intake"), {"Authorization": f"Bearer {token}"}, session)
        arrivals = Arrivals(pipeline.sink_url)
        following = asyncio.create_task(arrivals.follow(session))
        services = {name: pid for name, pid in pipeline.pids().items() if name in SERVICES}
        runner = Runner(
            intake, arrivals, ProcessCpu(pipeline), pipeline.database_urls["ledger"],
            args.backlog_cap, args.in_flight, args.paths, services, args.profile,
        )  # fmt: skip
        people = Registrations()
        try:
            await warm_up(runner, people)
            steps: dict[str, list[Step]] = {}
            for path in args.paths:
                steps[path] = []
                for load in args.loads:
                    step = Step(path, load, f"{load:,.0f}/s")
                    steps[path].append(
                        await run_step(step, "fixed", args.step_seconds, runner, people)
                    )
                    print(line_of(steps[path][-1]), file=sys.stderr)
                step = Step(path, MAX_OFFERED[path], "max")
                steps[path].append(await run_step(step, "max", args.max_seconds, runner, people))
                print(line_of(steps[path][-1]), file=sys.stderr)
        finally:
            following.cancel()
        if arrivals.rejected:
            print(f"signatures the receiver rejected: {arrivals.rejected}", file=sys.stderr)
    return steps


def shown(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def line_of(step: Step) -> str:
    cpu = ", ".join(f"{name} {spent:.1f}" for name, spent in sorted(step.cpu_seconds.items()))
    verdict = "BEYOND CAPACITY" if step.beyond_capacity else "sustained"
    return (
        f"{step.path:4} {step.label:>8}: sent {step.sent_per_second:,.0f}/s, "
        f"achieved {step.achieved:,.0f}/s, p50/p95/p99 {shown(step.p50)} / {shown(step.p95)} / "
        f"{shown(step.p99)} ms, backlog at end {step.backlog_at_end:,}, held back "
        f"{step.held_back:,}, undelivered {step.undelivered:,}, failed {step.failed:,}: {verdict}"
        f" (CPU s: {cpu})"
    )


def maximum(steps: list[Step]) -> Step:
    return next(step for step in steps if step.label == "max")


def figures_of(bare: BareLoop, steps: dict[str, list[Step]], conditions: str) -> list[Figure]:
    bare_cpu = "" if bare.cpu_seconds is None else f", {bare.cpu_seconds:.1f} CPU s"
    figures = [
        Figure(SUITE, "bare loop: messages consumed per second while producing",
               round(bare.per_second), "events/s",
               note=f"{bare.message_bytes} bytes a message, 6 partitions{bare_cpu}; {conditions}"),
        Figure(SUITE, "bare loop: messages per CPU-second (producer and consumer)",
               None if bare.per_cpu_second is None else round(bare.per_cpu_second),
               "events/CPU-s"),
        Figure(SUITE, f"bare loop: latency p50 at {bare.latency_rate:,.0f}/s",
               round(bare.latency_p50_ms, 1), "ms"),
        Figure(SUITE, f"bare loop: latency p99 at {bare.latency_rate:,.0f}/s",
               round(bare.latency_p99_ms, 1), "ms"),
    ]  # fmt: skip
    for path, path_steps in steps.items():
        top = maximum(path_steps)
        ratio = top.achieved / bare.per_second if bare.per_second else None
        cpu = ", ".join(f"{name} {spent:.0f}" for name, spent in sorted(top.cpu_seconds.items()))
        figures += [
            Figure(SUITE, f"{path}: maximum sustained events/s", round(top.achieved, 1),
                   "events/s", note=f"alerts/s at the receiver; CPU s: {cpu}"),
            Figure(SUITE, f"{path}: maximum sustained / bare loop",
                   None if ratio is None else round(ratio, 4), "×", TARGET_RATIO, "higher"),
            Figure(SUITE, f"{path}: registrations per CPU-second of the pipeline",
                   None if top.per_cpu_second is None else round(top.per_cpu_second, 1),
                   "events/CPU-s", note="in the maximum run; " + " + ".join(PIPELINE_PROCESSES)),
        ]  # fmt: skip
        at_target = next(
            (s for s in path_steps if s.offered == TARGET_LOAD and s.label != "max"), None
        )
        if at_target is not None:
            note = (
                f"beyond capacity: achieved {at_target.achieved:,.0f}/s, backlog "
                f"{at_target.backlog_at_end:,}"
                if at_target.beyond_capacity
                else ""
            )
            figures.append(
                Figure(SUITE, f"{path}: p99 at {TARGET_LOAD:,.0f} events/s", at_target.p99, "ms",
                       TARGET_P99_MS, "lower", note)
            )  # fmt: skip
        for step in path_steps:
            state = "beyond capacity" if step.beyond_capacity else "sustained"
            note = f"sent {step.sent_per_second:,.0f}/s; {state}; backlog {step.backlog_at_end:,}"
            figures.append(
                Figure(SUITE, f"{path} at {step.label}: achieved", round(step.achieved, 1),
                       "events/s", note=note)
            )  # fmt: skip
            figures += [
                Figure(SUITE, f"{path} at {step.label}: {name}", getattr(step, name), "ms")
                for name in ("p50", "p95", "p99")
            ]
    return figures


def series_of(bare: BareLoop, steps: dict[str, list[Step]]) -> dict[str, Any]:
    return {
        "pipeline": {
            **{path: [step.point() for step in path_steps] for path, path_steps in steps.items()},
            "bare_loop_per_second": round(bare.per_second),
        }
    }


def print_table(bare: BareLoop, steps: dict[str, list[Step]], conditions: str) -> None:
    print(conditions)
    per_cpu = "" if bare.per_cpu_second is None else f", {bare.per_cpu_second:,.0f} per CPU-s"
    print(f"bare loop: {bare.per_second:,.0f} messages/s ({bare.message_bytes} bytes each"
          f"{per_cpu}); latency at {bare.latency_rate:,.0f}/s p50 {bare.latency_p50_ms:.1f} ms, "
          f"p99 {bare.latency_p99_ms:.1f} ms")  # fmt: skip
    header = ("path", "offered", "sent/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms",
              "backlog", "state")  # fmt: skip
    print(" | ".join(f"{h:>10}" for h in header))
    for path, path_steps in steps.items():
        for step in path_steps:
            cells = (path, step.label, f"{step.sent_per_second:,.0f}", f"{step.achieved:,.0f}",
                     shown(step.p50), shown(step.p95), shown(step.p99),
                     f"{step.backlog_at_end:,}",
                     "beyond" if step.beyond_capacity else "sustained")  # fmt: skip
            print(" | ".join(f"{c:>10}" for c in cells))
        top = maximum(path_steps)
        if bare.per_second:
            print(f"{path}: maximum {top.achieved:,.0f}/s = {top.achieved / bare.per_second:.3f}"
                  f" of the bare loop (target >= {TARGET_RATIO})")  # fmt: skip
        cpu = ", ".join(f"{name} {spent:.1f}" for name, spent in sorted(top.cpu_seconds.items()))
        print(f"{path}: CPU seconds in the maximum run: {cpu}; "
              f"{top.per_cpu_second or 0:,.0f} registrations per pipeline CPU-second")  # fmt: skip


def write_results(folder: Path, bare: BareLoop, steps: dict[str, list[Step]], load: str) -> None:
    from pipeline_chart import draw

    folder.mkdir(parents=True, exist_ok=True)
    series = series_of(bare, steps)
    report = {
        "load_average": load,
        "bare_loop": asdict(bare),
        "steps": {path: [asdict(step) for step in of_path] for path, of_path in steps.items()},
        "series": series,
    }
    (folder / "pipeline.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    draw(series, folder / "pipeline.png")
    print(f"results: {folder / 'pipeline.json'}, {folder / 'pipeline.png'}")


def paths_given(text: str) -> list[str]:
    paths = text.split(",")
    unknown = sorted(set(paths) - set(PATHS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown path {', '.join(unknown)}: choose from {PATHS}")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--paths",
        type=paths_given,
        default=list(PATHS),
        help="bulk, http or bulk,http",
    )
    parser.add_argument("--loads", type=lambda text: [float(x) for x in text.split(",")],
                        default=list(LOADS), help="fixed offered loads, events/s")  # fmt: skip
    parser.add_argument("--step-seconds", type=float, default=15.0, help="each fixed load")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="the maximum run")
    parser.add_argument("--bare-seconds", type=float, default=10.0)
    parser.add_argument("--backlog-cap", type=int, default=2000,
                        help="registrations the pipeline may hold undelivered")  # fmt: skip
    parser.add_argument("--in-flight", type=int, default=32, help="API requests unanswered")
    parser.add_argument("--results", type=Path, help="write pipeline.json and pipeline.png here")
    parser.add_argument("--profile", type=Path,
                        help="py-spy samples of the services in the maximum run, here")  # fmt: skip
    parser.add_argument("--log-level", default="WARNING", help="the services', in their logs")
    parser.add_argument("--keep", type=Path, help="the services' databases, logs and spans "
                        "(traces.jsonl) and the steps' times (steps.json) here, kept after "
                        "the run, for pipeline_latency.py")  # fmt: skip
    args = parser.parse_args()
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep: {args.keep} is not empty; name a new or empty folder")

    with kafka_bootstrap() as bootstrap, data_folder(args.keep) as data_dir:
        bare = asyncio.run(
            measure_bare_loop(bootstrap, f"bare{uuid.uuid4().hex[:6]}.", args.bare_seconds)
        )
        print(f"bare loop: {bare.per_second:,.0f}/s", file=sys.stderr)
        with running_pipeline(bootstrap, Path(data_dir), args.log_level) as pipeline:
            steps = asyncio.run(measure_paths(pipeline, args))
            if args.keep:
                write_steps(args.keep / "steps.json", steps)
            registered_bytes = asyncio.run(
                published_size(bootstrap, pipeline.topic_prefix + topics.PERSON)
            )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    conditions = (
        f"load average (1, 5, 15 min) {load}; intake's person.registered "
        f"{registered_bytes or 0:.0f} bytes on average"
    )
    record(figures_of(bare, steps, conditions), series_of(bare, steps))
    print_table(bare, steps, conditions)
    if args.results:
        write_results(args.results, bare, steps, load)


def write_steps(path: Path, steps: dict[str, list[Step]]) -> None:
    """When each step offered its load, for pipeline_latency.py to tell them apart."""
    path.write_text(json.dumps([
        {"path": step.path, "label": step.label, "from": step.offered_from,
         "until": step.offered_until}
        for of_path in steps.values() for step in of_path
    ], indent=1))  # fmt: skip


@contextlib.contextmanager
def data_folder(keep: Path | None) -> Iterator[str]:
    """The services' data folder: ``keep``, made if need be and left in place, or a
    temporary one."""
    if keep is None:
        with tempfile.TemporaryDirectory() as data_dir:
            yield data_dir
        return
    keep.mkdir(parents=True, exist_ok=True)
    yield str(keep.resolve())


if __name__ == "__main__":
    main()
