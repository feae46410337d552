"""Scaling per service on PostgreSQL: the ledger and notify at one and at two replicas,
each replica a process of its own in the service's one consumer group, sharing the
service's database.

For each replica count, on a fresh database and a fresh topic prefix (so a fresh
consumer group, reading the same backlog from the start):

- ledger: intake's events (bench/ledger_ingest.py's generator, registrations then later
  changes) produced to `intake.person` (6 partitions) before the ledger starts; events
  applied per second, counted from the ledger's processed-event rows once every replica
  has joined the group, until nine tenths of the backlog is applied (target: two replicas
  1.5 times one). Measured in rounds (``--rounds``, three by default), each of one replica
  and of two, every other round starting with two, every backlog produced before the
  first: the machine's speed drifts by a quarter within minutes, so the figure is the
  median of the rounds' ratios, each round's beside it;
- notify: a partner subscribed to `ledger.file_opened` with a webhook receiver
  (bench/webhook_sink.py, a process of its own) checking every signature; once every
  replica has joined the group, a backlog of `ledger.file_opened` events published at
  once; alerts delivered per second between the tenth and the ninetieth percentile of
  their arrivals (no target).

The schema is brought up to date before the replicas start together. Beside each rate:
the events (or alerts) per CPU-second of the replicas' own, which the machine's other
load does not change; the CPU-seconds each replica spent over the measured stretch,
those of PostgreSQL's backends for the database and of the broker; how many of the
machine's cores were busy; and the load average. On a machine whose cores are all busy
the ratio of the rates measures the CPU time left free, and the CPU-seconds say so.
Prints a table and records the figures (suite "scaling"). Skipped, with a message, when
PostgreSQL is not reachable.

    .venv/bin/python bench/scaling.py
    .venv/bin/python bench/scaling.py --persons 80000 --alerts 12000 --replicas 3 --rounds 1
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import func, make_url, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from figures import Figure, record
from ledger_ingest import events_file, produce
from notify_delivery import alerts_received, publish_backlog, sink
from one_service import scratch_database
from scaling_cpu import CpuSpent, CpuWindow
from webhook_partner import add_subscribed_partner

from support.infrastructure import kafka_bootstrap, postgres_available
from wushe.cli.stack import Stack
from wushe.ledger.bootstrap import MIGRATIONS as LEDGER_MIGRATIONS
from wushe.ledger.service_layer.commands import CONSUMER as LEDGER_CONSUMER
from wushe.notify.bootstrap import MIGRATIONS as NOTIFY_MIGRATIONS
from wushe.shared.auth import Role, mint_token
from wushe.shared.db import create_engine
from wushe.shared.events import topics
from wushe.shared.messaging_tables import processed_events
from wushe.shared.migrations import upgrade_to_head
from wushe.shared.settings import Settings

TARGET_LEDGER_RATIO = 1.5
MEASURED_SHARE = 0.9  # the rest of a backlog is its tail, where replicas finish unevenly
NOTIFY_REGION = "420704"
JOIN_TIMEOUT_SECONDS = 60.0
STALL_SECONDS = 60.0


@dataclass(frozen=True)
class Measured:
    service: str
    replicas: int
    unit: str
    items: int  # events applied, or alerts delivered, over the counted stretch
    seconds: float  # the counted stretch
    cpu: CpuSpent  # over the counted stretch (the ledger) or the whole backlog (notify)
    cpu_items: int  # how many the CPU time was spent on
    load: float  # one-minute load average at the end

    @property
    def rate(self) -> float:
        return self.items / self.seconds

    @property
    def per_replica_cpu_second(self) -> float | None:
        """Unlike the rate, this does not depend on what else the machine runs: when it
        holds with more replicas, they add no work of their own."""
        if None in self.cpu.replicas:
            return None
        return self.cpu_items / sum(s for s in self.cpu.replicas if s is not None)

    def conditions(self) -> str:
        replicas = ", ".join("n/a" if s is None else f"{s:.1f}" for s in self.cpu.replicas)
        programs = ", ".join(f"{name} {s:.1f}" for name, s in self.cpu.programs.items())
        busy = self.cpu.busy_cores
        cores = "n/a" if busy is None else f"{busy:.2f}"
        per_cpu = self.per_replica_cpu_second
        efficiency = "n/a" if per_cpu is None else f"{per_cpu:,.0f}"
        return (
            f"{self.items:,} in {self.seconds:.1f} s; {efficiency} per replica CPU-second; "
            f"CPU-s over {self.cpu.seconds:.1f} s: replicas {replicas}, {programs}; "
            f"busy cores {cores}; load {self.load:.1f}"
        )


STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


async def group_joined(admin: AIOKafkaAdminClient, group: str, members: int) -> bool:
    """The group is stable with every replica in it (so each holds its partitions)."""
    (described,) = await admin.describe_consumer_groups([group])
    (state,) = described.to_object()["groups"]
    return state["state"] == "Stable" and len(state["members"]) == members


async def wait_for_group(bootstrap: str, group: str, members: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-scaling")
    await admin.start()
    try:
        deadline = time.monotonic() + JOIN_TIMEOUT_SECONDS
        while not await group_joined(admin, group, members):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{group}: not {members} members after {JOIN_TIMEOUT_SECONDS:.0f} s"
                )
            await asyncio.sleep(0.2)
    finally:
        await admin.close()


def service_env(
    options: argparse.Namespace, bootstrap: str, prefix: str, data_dir: str, service: str, url: str
) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "WUSHE_TOPIC_PREFIX": prefix,
        "WUSHE_DATA_DIR": data_dir,
        "WUSHE_LOG_LEVEL": options.log_level,
        f"{service.upper()}_DATABASE_URL": url,
    }


def log_dir(options: argparse.Namespace, data_dir: str, service: str, replicas: int) -> Path:
    """Where the replicas write their logs: kept with ``--logs``, else dropped with the run."""
    if options.logs is None:
        return Path(data_dir)
    return options.logs / f"{service}-x{replicas}"


def log_tails(logs: Path, names: list[str], lines: int = 20) -> str:
    tails = []
    for name in names:
        log = logs / f"{name}.log"
        if log.exists():
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"--- {name}\n" + "\n".join(tail))
    return "\n".join(tails)


def shared_programs(database_url: str, bootstrap: str) -> dict[str, str]:
    """What the command lines of this run's database backends and broker contain."""
    return {
        "PostgreSQL": f" {make_url(database_url).database} ",
        "broker": f"--listener-url tcp://{bootstrap} ",
    }


async def follow_ledger(
    url: str, bootstrap: str, group: str, stack: Stack, names: list[str], expected: int
) -> tuple[int, CpuSpent]:
    """Counts the processed-event rows twice a second; the measured stretch starts at
    the first count after every replica has joined the group."""
    engine = create_engine(url)
    applied = select(func.count()).select_from(processed_events)
    applied = applied.where(processed_events.c.consumer == LEDGER_CONSUMER)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-scaling")
    await admin.start()
    window: CpuWindow | None = None
    first = last = 0
    last_change = time.monotonic()
    try:
        while last < expected * MEASURED_SHARE:
            await asyncio.sleep(0.5)
            for name in names:
                if stack.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited with code {stack.processes[name].poll()}")
            async with engine.connect() as connection:
                count = int(await connection.scalar(applied) or 0)
            if count != last:
                last, last_change = count, time.monotonic()
            elif time.monotonic() - last_change > STALL_SECONDS:
                raise RuntimeError(f"no event applied for {STALL_SECONDS:.0f} s at {count:,}")
            if window is None and count and await group_joined(admin, group, len(names)):
                pids = [stack.processes[name].pid for name in names]
                window = CpuWindow(pids, shared_programs(url, bootstrap))
                first = count
                progress(f"  all {len(names)} joined at {count:,} applied")
        if window is None:
            raise RuntimeError("the backlog was applied before every replica joined: enlarge it")
        return last - first, window.spent()
    finally:
        await admin.close()
        await engine.dispose()


def measure_ledger(
    options: argparse.Namespace, bootstrap: str, prefix: str, produced: int, replicas: int
) -> Measured:
    with scratch_database("postgres", "scaling_ledger") as url:
        assert url
        upgrade_to_head(LEDGER_MIGRATIONS, url)
        with tempfile.TemporaryDirectory() as data_dir:
            logs = log_dir(options, data_dir, "ledger", replicas)
            stack = Stack(Settings(data_dir=Path(data_dir)), ports={}, log_dir=logs)
            env = service_env(options, bootstrap, prefix, data_dir, "ledger", url)
            names: list[str] = []
            try:
                names = stack.start_replicas("ledger", replicas, env)
                items, cpu = asyncio.run(
                    follow_ledger(url, bootstrap, prefix + "ledger", stack, names, produced)
                )
                progress(f"  {MEASURED_SHARE:.0%} applied")
            except Exception:
                progress(log_tails(logs, names or ["ledger"]))
                raise
            finally:
                stack.stop_all()
    return Measured("ledger", replicas, "events/s", items, cpu.seconds, cpu, items, load())


async def publish(bootstrap: str, topic: str, count: int) -> set[str]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
    await producer.start()
    try:
        return await publish_backlog(producer, topic, count)
    finally:
        await producer.stop()


def steady_stretch(arrivals: list[float]) -> tuple[int, float]:
    """How many arrived between the tenth and the ninetieth percentile, and in how many
    seconds: the start (the first fetches) and the tail (replicas ending unevenly) left out."""
    ordered = sorted(arrivals)
    low, high = int(len(ordered) * 0.1), int(len(ordered) * MEASURED_SHARE)
    return high - low, ordered[high] - ordered[low]


def measure_notify(options: argparse.Namespace, bootstrap: str, replicas: int) -> Measured:
    prefix = f"scaling{uuid.uuid4().hex[:6]}."
    with (
        scratch_database("postgres", "scaling_notify") as url,
        tempfile.TemporaryDirectory() as data_dir,
        sink() as receiver,
    ):
        assert url
        upgrade_to_head(NOTIFY_MIGRATIONS, url)
        settings = Settings(data_dir=Path(data_dir))
        logs = log_dir(options, data_dir, "notify", replicas)
        stack = Stack(settings, ports={}, log_dir=logs)
        env = service_env(options, bootstrap, prefix, data_dir, "notify", url) | {
            # One partner takes every alert here; its default limit protects a real one.
            "WUSHE_NOTIFY_RATE_PER_SECOND": "100000",
            "WUSHE_NOTIFY_RATE_BURST": "100000",
        }
        names: list[str] = []
        try:
            names = stack.start_replicas("notify", replicas, env)
            token = mint_token(settings, subject="bench", role=Role.ADMIN, region="420700")
            with httpx.Client(base_url=stack.url(names[0]), timeout=10,
                              headers={"Authorization": f"Bearer {token}"}) as api:  # fmt: skip
                partner = add_subscribed_partner(api, receiver.url, NOTIFY_REGION)
            receiver.set_secret(partner["webhook_secret"])
            asyncio.run(wait_for_group(bootstrap, prefix + "notify", replicas))
            progress(f"  all {replicas} joined; publishing {options.alerts:,} events")
            pids = [stack.processes[name].pid for name in names]
            window = CpuWindow(pids, shared_programs(url, bootstrap))
            topic = prefix + topics.LEDGER_FILE
            event_ids = asyncio.run(publish(bootstrap, topic, options.alerts))
            asyncio.run(alerts_received(receiver, event_ids, 300, f"notify x{replicas}"))
            cpu = window.spent()
            progress("  every alert received")
        except BaseException:
            progress(log_tails(logs, names or ["notify"]))
            raise
        finally:
            stack.stop_all()
        if receiver.rejected:
            raise RuntimeError(f"the receiver rejected {receiver.rejected} signatures")
        items, seconds = steady_stretch([receiver.arrivals[event_id] for event_id in event_ids])
    return Measured("notify", replicas, "alerts/s", items, seconds, cpu, len(event_ids), load())


def load() -> float:
    return os.getloadavg()[0]


Rounds = list[list[Measured]]  # each round's results, by replicas: one, then more


def ratio(round_: list[Measured]) -> float:
    return round_[-1].rate / round_[0].rate


def median_round(rounds: Rounds) -> list[Measured]:
    """The round whose ratio is the median (of an even number, the lower of the middle two)."""
    return sorted(rounds, key=ratio)[(len(rounds) - 1) // 2]


def of_rounds(rounds: Rounds) -> str:
    """Where the median came from, when there was more than one round."""
    if len(rounds) == 1:
        return ""
    return f"median of {len(rounds)} rounds ({', '.join(f'{ratio(r):.2f}×' for r in rounds)})"


def as_figures(service_rounds: dict[str, Rounds]) -> list[Figure]:
    figures = []
    for service, rounds in service_rounds.items():
        results = median_round(rounds)
        for result in results:
            figures.append(Figure(
                "scaling", f"{service}, {result.replicas} replica(s), PostgreSQL",
                round(result.rate), result.unit, note=result.conditions(),
            ))  # fmt: skip
        last = results[-1].replicas
        target = TARGET_LEDGER_RATIO if service == "ledger" else None
        one, many = results[0], results[-1]
        median = of_rounds(rounds) and f"{of_rounds(rounds)}: "
        figures.append(Figure(
            "scaling", f"{service}, {last} replicas / 1, PostgreSQL", round(ratio(results), 2),
            "×", target, "higher" if target else None,
            f"{median}{one.rate:,.0f} and {many.rate:,.0f} {one.unit}; load "
            f"{one.load:.1f} and {many.load:.1f}",
        ))  # fmt: skip
        if one.per_replica_cpu_second and many.per_replica_cpu_second:
            figures.append(Figure(
                "scaling", f"{service}, {last} replicas / 1, per replica CPU-second",
                round(many.per_replica_cpu_second / one.per_replica_cpu_second, 2), "×",
                note=f"{one.per_replica_cpu_second:,.0f} and "
                f"{many.per_replica_cpu_second:,.0f}: near 1 when a replica adds no work",
            ))  # fmt: skip
    return figures


def table(service_rounds: dict[str, Rounds]) -> str:
    rows = [
        "| service | round | replicas | rate | counted | per replica CPU-second "
        "| CPU-s of each replica | PostgreSQL CPU-s | broker CPU-s | busy cores | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rounds in service_rounds.values():
        for number, result in ((n, r) for n, round_ in enumerate(rounds, 1) for r in round_):
            cpu = result.cpu
            replicas = " + ".join("n/a" if s is None else f"{s:.1f}" for s in cpu.replicas)
            busy = "n/a" if cpu.busy_cores is None else f"{cpu.busy_cores:.2f}"
            per_cpu = result.per_replica_cpu_second
            rows.append(
                f"| {result.service} | {number} | {result.replicas} "
                f"| {result.rate:,.0f} {result.unit} "
                f"| {result.items:,} in {result.seconds:.1f} s "
                f"| {'n/a' if per_cpu is None else f'{per_cpu:,.0f}'} | {replicas} "
                f"| {cpu.programs['PostgreSQL']:.1f} | {cpu.programs['broker']:.1f} "
                f"| {busy} | {result.load:.1f} |"
            )
    lines = ["\n".join(rows), ""]
    for service, rounds in service_rounds.items():
        target = f" (target {TARGET_LEDGER_RATIO}×)" if service == "ledger" else ""
        median = of_rounds(rounds)
        lines.append(
            f"{service}: {rounds[0][-1].replicas} replicas / 1 = "
            f"{ratio(median_round(rounds)):.2f}×{target}{', ' + median if median else ''}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=40_000, help="the ledger's backlog")
    parser.add_argument("--changes", type=float, default=0.25, help="further events per person")
    parser.add_argument("--alerts", type=int, default=8_000, help="notify's backlog of events")
    parser.add_argument("--replicas", type=int, default=2, help="compared with one")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the ledger's, each of one replica and of more")  # fmt: skip
    parser.add_argument("--service", choices=("ledger", "notify"), action="append")
    parser.add_argument("--log-level", default="WARNING", help="the replicas', in their logs")
    parser.add_argument("--logs", type=Path, help="keep the replicas' logs in this folder")
    options = parser.parse_args()
    if options.rounds < 1:
        parser.error("--rounds: at least 1")
    services = options.service or ["ledger", "notify"]
    counts = (1, options.replicas)
    if not postgres_available():
        message = "PostgreSQL not reachable: scaling skipped (it is measured on PostgreSQL)"
        print(message, file=sys.stderr)
        record([Figure("scaling", f"{service}, {options.replicas} replicas / 1, PostgreSQL",
                       None, "×", TARGET_LEDGER_RATIO if service == "ledger" else None,
                       "higher" if service == "ledger" else None, message)
                for service in services])  # fmt: skip
        return
    results: dict[str, Rounds] = {}
    with kafka_bootstrap() as bootstrap:
        if "ledger" in services:
            events = events_file(options.persons, options.changes)
            # Every backlog is produced before any ledger starts, so none competes with one.
            # Every other round starts with more replicas, so that a drift of the machine's
            # speed does not favour either.
            backlogs = [
                [(count, f"scaling{uuid.uuid4().hex[:6]}.") for count in counts[:: 1 - 2 * odd]]
                for odd in (number % 2 for number in range(options.rounds))
            ]
            produced = 0
            for _, prefix in (backlog for round_ in backlogs for backlog in round_):
                produced, seconds, _ = asyncio.run(
                    produce(bootstrap, prefix + topics.PERSON, events)
                )
                progress(f"ledger: {produced:,} events produced in {seconds:.1f} s")
            for number, round_ in enumerate(backlogs, 1):
                measured = []
                for count, prefix in round_:
                    progress(f"ledger, round {number} of {options.rounds}, at {count} replica(s)")
                    measured.append(measure_ledger(options, bootstrap, prefix, produced, count))
                measured.sort(key=lambda result: result.replicas)
                progress(f"  round {number}: {ratio(measured):.2f}×")
                results.setdefault("ledger", []).append(measured)
        if "notify" in services:
            measured = []
            for count in counts:
                progress(f"notify at {count} replica(s)")
                measured.append(measure_notify(options, bootstrap, count))
            results["notify"] = [measured]
    record(as_figures(results))
    print(table(results))


if __name__ == "__main__":
    main()
