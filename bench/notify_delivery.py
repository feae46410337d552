"""Notify delivering alerts to a local webhook receiver: how many a second, and how long
from the triggering event to the partner.

Starts the broker (embedded unless KAFKA_BOOTSTRAP_SERVERS is set) and notify alone, on
SQLite in a temporary folder, on a scratch PostgreSQL database with --database postgres, or
on NOTIFY_DATABASE_URL when set (a scratch database: the run adds its alerts to it),
registers a partner whose receiver verifies every signature (Standard Webhooks), and
subscribes it to `ledger.file_opened`. Then:

1. delivery: a backlog of alerts written straight into notify's table, as routing
   writes them; alerts delivered per second, from the write to the last one received;
2. events to alerts: a backlog of events published at once; alerts received per
   second, from the first publish to the last alert (the consumer and the delivery);
3. latency: events published at a steady 200 a second; for each, the time from the
   event's `occurred_at` to its alert reaching the receiver, p50, p95 and p99 (target: p99
   under 250 ms).

The per-partner rate limit is raised for the run: one partner takes every alert here,
where the default (50 a second) protects a real partner's endpoint.

    .venv/bin/python bench/notify_delivery.py
    .venv/bin/python bench/notify_delivery.py --database postgres --backlog 5000
"""

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import select
from uuid_utils.compat import uuid7

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from figures import Figure, record
from one_service import cpu_seconds, percentile, scratch_database
from webhook_partner import add_subscribed_partner

from support.infrastructure import free_port, kafka_bootstrap
from wushe.cli.stack import Stack
from wushe.notify.adapters.orm import AlertRecord
from wushe.notify.adapters.timestamps import as_utc
from wushe.shared.auth import Role, mint_token
from wushe.shared.db import create_engine, session_factory
from wushe.shared.events import Producer, new_event, topics
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.kafka import ensure_topics
from wushe.shared.settings import Settings

TARGET_P99_MS = 250.0
REGION = "420704"
PRODUCER = Producer(service="ledger", deployment="bench")


class Sink:
    """The receiver (bench/webhook_sink.py), in a process of its own so that its work
    does not share a CPU's interpreter with the measuring."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.arrivals: dict[str, float] = {}  # event id -> arrival (epoch seconds)
        self.rejected = 0

    def set_secret(self, secret: str) -> None:
        httpx.put(self.url + "/secret", content=secret).raise_for_status()

    def refresh(self) -> None:
        report = httpx.get(self.url + "/arrivals", timeout=30).json()
        self.arrivals, self.rejected = report["arrivals"], report["rejected"]

    def count(self, event_ids: set[str]) -> int:
        return len(event_ids & self.arrivals.keys())


@contextmanager
def sink() -> Iterator[Sink]:
    port = free_port()
    script = Path(__file__).resolve().parent / "webhook_sink.py"
    process = subprocess.Popen([sys.executable, str(script), str(port)])
    receiver = Sink(port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                receiver.refresh()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield receiver
    finally:
        process.terminate()
        process.wait(10)


def file_opened() -> tuple[bytes, bytes, str]:
    person_id = uuid.uuid4()
    event = new_event(
        LedgerFileOpened(
            file_id=uuid.uuid4(), person_id=person_id, region_code=REGION, groups=["disabled"]
        ),
        subject=str(person_id),
        region_code=REGION,
        producer=PRODUCER,
    )
    return str(person_id).encode(), event.to_bytes(), str(event.id)


async def publish_backlog(producer: AIOKafkaProducer, topic: str, count: int) -> set[str]:
    ids = set()
    for _ in range(count):
        key, value, event_id = file_opened()
        await producer.send(topic, value, key=key)
        ids.add(event_id)
    await producer.flush()
    return ids


async def publish_steadily(
    producer: AIOKafkaProducer, topic: str, per_second: float, seconds: float
) -> dict[str, float]:
    """Events at a steady rate; each event's id and its occurred_at (epoch seconds)."""
    sent: dict[str, float] = {}
    started = time.perf_counter()
    for index in range(int(per_second * seconds)):
        due = started + index / per_second
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        key, value, event_id = file_opened()
        sent[event_id] = time.time()
        # Each event goes out on its own, as a producing service's relay would send it.
        await producer.send_and_wait(topic, value, key=key)
    return sent


async def alerts_received(
    receiver: Sink, event_ids: set[str], within_seconds: float, what: str
) -> None:
    deadline = time.monotonic() + within_seconds
    while True:
        await asyncio.to_thread(receiver.refresh)
        if receiver.count(event_ids) == len(event_ids):
            return
        if time.monotonic() > deadline:
            got = receiver.count(event_ids)
            raise SystemExit(
                f"{what}: {got} of {len(event_ids)} alerts after {within_seconds:.0f} s"
            )
        await asyncio.sleep(0.2)


def rate_since(receiver: Sink, event_ids: set[str], started: float) -> float:
    last = max(receiver.arrivals[event_id] for event_id in event_ids)
    return len(event_ids) / (last - started)


class NotifyCpu:
    """Notify's CPU time per alert over each part of the run: what the machine's other
    load distorts least."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._last = cpu_seconds(pid)

    def per_alert(self, alerts: int) -> str:
        now = cpu_seconds(self._pid)
        if now is None or self._last is None:
            return "notify's CPU time unknown here"
        spent, self._last = now - self._last, now
        return f"notify's CPU {spent / alerts * 1000:.2f} ms per alert"


async def routing_times(database_url: str, event_ids: set[str]) -> dict[str, float]:
    """When routing made each event's alert (epoch seconds)."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(AlertRecord.event_id, AlertRecord.created_at).where(
                    AlertRecord.event_id.in_(event_ids)
                )
            )
            return {event_id: as_utc(created).timestamp() for event_id, created in rows}
    finally:
        await engine.dispose()


def spread(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.1f} ms, p99 {percentile(values, 0.99):.1f} ms"


def run(args: argparse.Namespace, database_url: str, data_dir: Path) -> None:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    with kafka_bootstrap() as bootstrap, sink() as receiver:
        settings = Settings(data_dir=data_dir)
        port = free_port()
        stack = Stack(settings, ports={"notify": port}, log_dir=data_dir / "logs")
        stack.start_service("notify", {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "WUSHE_TOPIC_PREFIX": prefix,
            "WUSHE_DATA_DIR": str(data_dir), "WUSHE_LOG_LEVEL": args.log_level,
            "NOTIFY_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{data_dir / 'notify.db'}",
            "WUSHE_NOTIFY_RATE_PER_SECOND": "100000", "WUSHE_NOTIFY_RATE_BURST": "100000",
        })  # fmt: skip
        try:
            stack.wait_ready(("notify",), timeout=90)
            token = mint_token(settings, subject="bench", role=Role.ADMIN, region=REGION[:4] + "00")
            api = httpx.Client(base_url=stack.url("notify"), timeout=10,
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            partner = add_subscribed_partner(api, receiver.url, REGION)
            receiver.set_secret(partner["webhook_secret"])
            url = database_url or f"sqlite+aiosqlite:///{data_dir / 'notify.db'}"
            topic = prefix + topics.LEDGER_FILE
            notify_pid = stack.processes["notify"].pid
            asyncio.run(
                measure(args, bootstrap, topic, receiver, url, partner["partner_id"], notify_pid)
            )
        finally:
            stack.stop("notify")
            if args.keep_logs:
                shutil.copy(data_dir / "logs" / "notify.log", args.keep_logs)


async def write_alerts(database_url: str, partner_id: str, count: int) -> set[str]:
    """Pending alerts, as routing writes them; the ids of their (made-up) events."""
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    event_ids = {str(uuid.uuid4()) for _ in range(count)}
    try:
        async with session_factory(engine)() as session, session.begin():
            for event_id in event_ids:
                alert_id = str(uuid7())
                session.add(AlertRecord(
                    id=alert_id, idempotency_key=f"{event_id}:{partner_id}",
                    partner_id=partner_id, event_id=event_id, event_type="ledger.file_opened",
                    subject=str(uuid.uuid4()), region_code=REGION, trace_headers={},
                    body={"type": "ledger.file_opened", "timestamp": now.isoformat(),
                          "data": {"alert_id": alert_id, "event_id": event_id}},
                    status="pending", attempts=0, next_attempt_at=now, created_at=now,
                ))  # fmt: skip
    finally:
        await engine.dispose()
    return event_ids


async def measure(
    args: argparse.Namespace,
    bootstrap: str,
    topic: str,
    receiver: Sink,
    database_url: str,
    partner_id: str,
    notify_pid: int,
) -> None:
    await ensure_topics(bootstrap, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()
    try:
        warm_up = await publish_backlog(producer, topic, 20)
        await alerts_received(receiver, warm_up, 120, "warm-up (notify joins its group)")

        cpu = NotifyCpu(notify_pid)
        started = time.time()
        written = await write_alerts(database_url, partner_id, args.alerts)
        await alerts_received(receiver, written, 300, "written alerts")
        delivery = rate_since(receiver, written, started)
        delivery_cpu = cpu.per_alert(len(written))

        started = time.time()
        backlog = await publish_backlog(producer, topic, args.backlog)
        await alerts_received(receiver, backlog, 600, "backlog")
        events_to_alerts = rate_since(receiver, backlog, started)
        backlog_cpu = cpu.per_alert(len(backlog))

        sent = await publish_steadily(producer, topic, args.rate, args.seconds)
        await alerts_received(receiver, set(sent), 900, "steady stream")
        steady_cpu = cpu.per_alert(len(sent))
    finally:
        await producer.stop()
    latencies = [(receiver.arrivals[event_id] - at) * 1000 for event_id, at in sent.items()]
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    p99 = percentile(latencies, 0.99)
    routed = await routing_times(database_url, set(sent))
    to_alert = [(routed[event_id] - at) * 1000 for event_id, at in sent.items()]
    to_partner = [(receiver.arrivals[e] - routed[e]) * 1000 for e in sent]
    verdict = "met" if p99 < TARGET_P99_MS else "MISSED"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"database: {args.database}; machine load average (1, 5, 15 min): {load}")
    print(f"delivery: {args.alerts} alerts written at once, "
          f"{delivery:,.0f} alerts delivered per second, {delivery_cpu}")  # fmt: skip
    print(f"events to alerts: {args.backlog} events published at once, "
          f"{events_to_alerts:,.0f} alerts delivered per second, {backlog_cpu}")  # fmt: skip
    print(f"latency at {args.rate:.0f} events/s for {args.seconds:.0f} s ({len(sent)} events): "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms "
          f"(target p99 < {TARGET_P99_MS:.0f} ms: {verdict}), {steady_cpu}")  # fmt: skip
    print(f"  of which event to alert written (routing): {spread(to_alert)}; "
          f"alert written to delivered: {spread(to_partner)}")  # fmt: skip
    print(f"signatures rejected by the receiver: {receiver.rejected}")
    database = {"postgres": "PostgreSQL", "sqlite": "SQLite"}[args.database]
    record([
        Figure("notify", f"latency p99 at {args.rate:.0f} events/s, {database}", round(p99, 1),
               "ms", TARGET_P99_MS, "lower",
               f"event to partner; p50 {p50:.1f} ms, p95 {p95:.1f} ms; {len(sent):,} events "
               f"over {args.seconds:.0f} s; routing p99 {percentile(to_alert, 0.99):.1f} ms; "
               f"{steady_cpu}; load average {load}"),
        Figure("notify", f"alerts delivered, {database}", round(delivery), "alerts/s",
               note=f"{args.alerts:,} alerts written at once; {delivery_cpu}"),
        Figure("notify", f"events to alerts delivered, {database}", round(events_to_alerts),
               "alerts/s",
               note=f"{args.backlog:,} events published at once; {backlog_cpu}"),
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--alerts", type=int, default=5000, help="written straight")
    parser.add_argument("--backlog", type=int, default=500, help="events published at once")
    parser.add_argument("--rate", type=float, default=200.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--log-level", default="WARNING", help="notify's, in its log file")
    parser.add_argument("--keep-logs", type=Path, help="copy notify's log here afterwards")
    args = parser.parse_args()
    given = os.environ.get("NOTIFY_DATABASE_URL")
    if given:
        args.database = "postgres" if given.startswith("postgresql") else "sqlite"
        with tempfile.TemporaryDirectory() as tmp:
            run(args, given, Path(tmp))
        return
    with scratch_database(args.database, "notify") as url, tempfile.TemporaryDirectory() as tmp:
        if url is None:
            return
        run(args, url, Path(tmp))


if __name__ == "__main__":
    main()
