"""The pipeline under measurement: intake, ledger and notify as processes on one broker,
a partner of the region subscribed to `ledger.file_opened`, and its webhook receiver
(bench/webhook_sink.py) in a process of its own, which notes when each person's alert
arrived. SQLite files in a temporary folder unless `<SERVICE>_DATABASE_URL` is set.
"""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import select
from webhook_partner import add_subscribed_partner

from support.infrastructure import free_port
from wushe.cli.stack import Stack
from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.notify.adapters.timestamps import as_utc
from wushe.shared.auth import Role, mint_token
from wushe.shared.db import create_engine, session_factory
from wushe.shared.kafka import DEFAULT_PARTITIONS
from wushe.shared.settings import Settings

REGION = "420700"  # the deployment's city: the generated villages are all within it
SERVICES = ("intake", "ledger", "notify")


@dataclass
class Pipeline:
    stack: Stack
    settings: Settings
    sink_url: str
    database_urls: dict[str, str]
    topic_prefix: str

    def token(self, role: Role) -> str:
        return mint_token(self.settings, subject="bench", role=role, region=REGION)

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.stack.processes.items()}


def database_urls(data_dir: Path) -> dict[str, str]:
    return {
        service: os.environ.get(f"{service.upper()}_DATABASE_URL")
        or f"sqlite+aiosqlite:///{data_dir / f'{service}.db'}"
        for service in SERVICES
    }


@contextmanager
def running_pipeline(bootstrap: str, data_dir: Path, log_level: str) -> Iterator[Pipeline]:
    """The three services, the receiver and the partner, stopped on the way out."""
    settings = Settings(data_dir=data_dir)
    stack = Stack(settings, ports={s: free_port() for s in SERVICES}, log_dir=data_dir / "logs")
    urls = database_urls(data_dir)
    prefix = f"pipe{uuid.uuid4().hex[:6]}."
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "WUSHE_TOPIC_PREFIX": prefix,
        "WUSHE_DATA_DIR": str(data_dir), "WUSHE_LOG_LEVEL": log_level,
        "WUSHE_REGION_CODE": REGION,
        # One partner takes every alert here; the default (50 a second) protects a real
        # partner's endpoint.
        "WUSHE_NOTIFY_RATE_PER_SECOND": "100000", "WUSHE_NOTIFY_RATE_BURST": "100000",
        **{f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()},
    }  # fmt: skip
    sink_port = free_port()
    script = Path(__file__).resolve().parent / "webhook_sink.py"
    sink = subprocess.Popen([sys.executable, str(script), str(sink_port)])
    try:
        for service in SERVICES:
            stack.start_service(service, env)
        stack.processes["sink"] = sink
        stack.wait_ready(SERVICES, timeout=120)
        pipeline = Pipeline(stack, settings, f"http://127.0.0.1:{sink_port}", urls, prefix)
        add_partner(pipeline)
        yield pipeline
    finally:
        stack.stop_all()
        if sink.poll() is None:
            sink.terminate()
            sink.wait(10)


def add_partner(pipeline: Pipeline) -> None:
    headers = {"Authorization": f"Bearer {pipeline.token(Role.ADMIN)}"}
    with httpx.Client(base_url=pipeline.stack.url("notify"), headers=headers, timeout=10) as api:
        partner = add_subscribed_partner(api, pipeline.sink_url, REGION)
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.put(pipeline.sink_url + "/secret", content=partner["webhook_secret"])
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@dataclass
class Arrivals:
    """The receiver's arrivals, followed as they come: person id -> epoch seconds."""

    sink_url: str
    at: dict[str, float] = field(default_factory=dict)
    order: list[float] = field(default_factory=list)  # arrival times, in arrival order
    rejected: int = 0
    _next: int = 0

    async def refresh(self, session: aiohttp.ClientSession) -> None:
        async with session.get(f"{self.sink_url}/persons?after={self._next}") as response:
            report = await response.json()
        for person_id, arrived in report["arrivals"]:
            self.at[person_id] = arrived
            self.order.append(arrived)
        self._next, self.rejected = report["next"], report["rejected"]

    async def follow(self, session: aiohttp.ClientSession, every: float = 0.2) -> None:
        while True:
            await self.refresh(session)
            await asyncio.sleep(every)

    def between(self, start: float, end: float) -> int:
        return sum(1 for arrived in self.order if start <= arrived < end)

    def since(self, start: float) -> dict[str, float]:
        return {person: arrived for person, arrived in self.at.items() if arrived >= start}


async def registered_at(ledger_database_url: str, person_ids: list[str]) -> dict[str, float]:
    """When intake accepted each person: the `occurred_at` of its `person.registered`,
    which the ledger keeps as the file's `opened_at` (epoch seconds)."""
    engine = create_engine(ledger_database_url)
    found: dict[str, float] = {}
    try:
        async with session_factory(engine)() as session:
            for start in range(0, len(person_ids), 500):
                rows = await session.execute(
                    select(LedgerFileRecord.person_id, LedgerFileRecord.opened_at).where(
                        LedgerFileRecord.person_id.in_(person_ids[start : start + 500])
                    )
                )
                found.update({person: as_utc(at).timestamp() for person, at in rows})
    finally:
        await engine.dispose()
    return found


async def published_size(bootstrap: str, topic: str, per_partition: int = 200) -> float | None:
    """The mean size in bytes (value, key and headers) of the last events on ``topic``:
    what the bare loop's messages are compared with."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(DEFAULT_PARTITIONS)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        for partition in partitions:
            consumer.seek(partition, max(0, ends[partition] - per_partition))
        sizes: list[int] = []
        wanted = sum(min(per_partition, end) for end in ends.values())
        while len(sizes) < wanted:
            batches = await consumer.getmany(timeout_ms=1000)
            if not batches:
                break
            for records in batches.values():
                sizes += [
                    len(r.value or b"") + len(r.key or b"")
                    + sum(len(name) + len(value) for name, value in r.headers)
                    for r in records
                ]  # fmt: skip
        return sum(sizes) / len(sizes) if sizes else None
    finally:
        await consumer.stop()
