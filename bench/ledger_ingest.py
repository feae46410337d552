"""The ledger ingesting a backlog of intake's events, then reading a person's file, on
PostgreSQL and on SQLite.

Generates the events intake publishes about a province's people (registrations with
real village codes, groups, sex and age band; then group changes, updates, relocations
and consents for some of them), each with its W3C trace headers, and produces them to
`intake.person` before the ledger starts, so the ledger finds a backlog. Starts the
broker (embedded unless KAFKA_BOOTSTRAP_SERVERS is set) and the ledger alone, follows
its processed-event record until every event is applied, then reads files and timelines
of random persons through the ledger's API. Prints events applied per second of wall
time (target: 6,400, a province's estimated peak, on one process) and per CPU-second of
the ledger process (which, unlike the wall rate, does not depend on what else the
machine runs), the load average, and the p50/p95/p99 of a read (target: p99 under 20 ms).
On PostgreSQL it vacuums the outbox and analyzes the tables every minute, as autovacuum
would; the test server runs without it.

    .venv/bin/python bench/ledger_ingest.py                     # 1,000,000 persons, both databases
    .venv/bin/python bench/ledger_ingest.py --persons 100000 --database sqlite

Measured on PostgreSQL (on SQLite, 40,000 persons after cda1be2: 2,297 events/s, 2,317 per
ledger CPU-second, load 4.6; reads p99 8.8 and 12.8 ms), 1.25 events per person, on a
two-core machine shared with other work (load average beside each figure):

| code | persons | events/s | per ledger CPU-s | load | file p50/95/99 ms | timeline p50/95/99 |
|---|---|---|---|---|---|---|
| before (af7a1fe) | 40,000 | 801 | 1,677 | 2-7 | 3.9 / 13.2 / 28.1 | 5.4 / 17.8 / 46.3 |
| after (d2b565e) | 40,000 | 1,524 | 2,505 | 4.7 | 3.6 / 8.2 / 11.1 | 5.1 / 10.9 / 16.0 |
| after (cda1be2) | 100,000 | 1,170 | 2,379 | 8.8 | 3.9 / 13.3 / 22.8 | 5.4 / 18.9 / 29.8 |
| after (d2b565e) | 1,000,000 | 827 | 2,443 | 9, 5 reading | 3.6 / 18.2 / 38.3 | 5.2 / 27.2 / 57.6 |
| after (dffecd4) | 1,000,000 | 2,112 | 2,575 | 3 | 3.5 / 7.2 / 11.0 | 4.9 / 9.1 / 13.0 |
| before (de5e495) | 40,000 | 2,536 | 2,725 | 0.7 | 3.4 / 4.5 / 6.5 | 4.8 / 6.3 / 11.8 |
| after (52846f9) | 40,000 | 2,873 | 3,133 | 0.9 | 3.5 / 4.3 / 5.6 | 4.9 / 6.1 / 9.6 |
| before (ae2ca1a) | 60,000 | 2,732 | 3,294 | 0.8 | 3.0 / 3.9 / 6.1 | 4.1 / 5.2 / 8.0 |
| after (d479b17) | 60,000 | 3,579 | 4,167 | 0.8 | 3.1 / 4.4 / 6.9 | 4.3 / 5.7 / 8.0 |
| after (1a8969a) | 1,000,000 | 2,607 | 3,194 | 2.0 | 4.5 / 7.0 / 10.1 | 6.1 / 9.4 / 11.9 |
| after (799842f) | 60,000 | 6,481 | 8,243 | 1.6 | 1.8 / 2.1 / 2.6 | 2.6 / 3.0 / 6.0 |
| after (799842f) | 1,000,000 | 6,072 | 8,573 | 1.7 | 1.8 / 2.1 / 6.9 | 2.6 / 3.0 / 4.5 |

Per CPU-second the ledger applied 3,000-3,300 events at ae2ca1a and 3,900-4,500 at d479b17
(the pair above ran in turn on the same machine, slower that day than for the earlier
rows): a batch's keys and rows now reach PostgreSQL in statements of one parameter
(arrays and a JSON document) instead of statements rendered per batch and executed per
row, the outbox relay sends a batch per partition, and the collector runs every 10,000
allocations rather than 700. That was still 1.6 times short of 6,400; the last two
rows, on a faster day, follow the fourth round (a batch's files as rows, written in two
statements; docs/performance.md), at about 120 us of the ledger's CPU an event. The
handling of each event (its trace context, span and log context) costs 30-45 us with
every trace sampled, and the rest is the batch's statements and the visit planning. The
read's p50 stays at 3.5-5.5 ms from 40,000 to 1,000,000 files; its p99 follows the machine's
load, under 20 ms at a million files when the load is about 3. At a million rows the
relay used to read unpublished rows along the primary key, past every published one (a
second per 500 rows; fixed in cda1be2): in the d2b565e run the outbox drained six minutes
after the last event was applied, in the dffecd4 run as the last one was.
"""

import argparse
import asyncio
import contextlib
import json
import os
import pickle
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from uuid_utils.compat import uuid7

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from figures import Figure, record
from one_service import cpu_seconds, scratch_database

from support.infrastructure import free_port, kafka_bootstrap
from wushe.cli.stack import Stack
from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.service_layer.commands import CONSUMER
from wushe.shared.auth import Role, mint_token
from wushe.shared.db import create_engine
from wushe.shared.divisions.current import current_codes
from wushe.shared.events import Producer, new_event, topics
from wushe.shared.events.consent import ConsentGranted, ProcessingPurpose, RecipientKind
from wushe.shared.events.groups import TargetGroup
from wushe.shared.events.intake import (
    PersonGroupJoined,
    PersonRegistered,
    PersonRelocated,
    PersonUpdated,
)
from wushe.shared.kafka import ensure_topics
from wushe.shared.messaging_tables import outbox, processed_events
from wushe.shared.settings import Settings

TARGET_EVENTS_PER_SECOND = 6_400
TARGET_P99_MS = 20.0
PROVINCE = "42"
READS = 2_000
WARM_UP_READS = 200
STALL_SECONDS = 60.0
PROGRESS_SECONDS = 5.0
MAINTENANCE_SECONDS = 60.0
CACHE = Path(__file__).resolve().parent / ".cache"
# Part of the cache file's name: a change to what is generated must not reuse old files.
GENERATOR_VERSION = 1

Header = tuple[str, bytes]
Record = tuple[bytes, bytes, list[Header]]

ELDERLY = [group for group in TargetGroup if group.value.startswith("elderly_")]
CHILDREN = [group for group in TargetGroup if group.value.startswith("child_")]
CHILDREN.append(TargetGroup.MIGRANT_CHILD)
ADULTS = [
    TargetGroup.DISABLED,
    TargetGroup.SEVERE_MENTAL_DISORDER,
    TargetGroup.HOMELESS,
    TargetGroup.SUBSISTENCE_ALLOWANCE,
    TargetGroup.EXTREME_POVERTY,
]
# Circumstances that come on top of a person's main group, at any age.
ADDED_GROUPS = [
    TargetGroup.SUBSISTENCE_ALLOWANCE,
    TargetGroup.EXTREME_POVERTY,
    TargetGroup.DISABLED,
]
CHANGED_FIELDS = ["address", "full_name", "household_region", "phone", "profiles"]


class Person:
    __slots__ = ("groups", "id", "residence")

    def __init__(self, person_id: str, residence: str, groups: list[str]) -> None:
        self.id = person_id
        self.residence = residence
        self.groups = groups


class IntakeEvents:
    """What intake publishes on `intake.person` about a province's people."""

    def __init__(self, seed: int = 20261124) -> None:
        self.random = random.Random(seed)
        self.villages = sorted(current_codes("village", PROVINCE))
        self.villages_of_county: dict[str, list[str]] = {}
        for village in self.villages:
            self.villages_of_county.setdefault(village[:6], []).append(village)
        self.producer = Producer(service="intake", deployment="hubei")
        self.today = date.today()

    def record(self, payload: BaseModel, person: Person) -> Record:
        """Keyed by the person, in the region where they live, with the headers the
        outbox relay puts on every record."""
        event = new_event(
            payload,
            subject=person.id,
            region_code=person.residence,
            producer=self.producer,
            actor=f"worker-{self.random.randrange(1, 500):03d}",
        )
        traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
        headers = [
            ("content-type", b"application/json"),
            ("event-type", event.type.encode()),
            ("event-id", str(event.id).encode()),
            ("traceparent", traceparent.encode()),
        ]
        return person.id.encode(), event.to_bytes(), headers

    def day_this_year(self) -> date:
        return self.today - timedelta(days=self.random.randrange(0, 365))

    def registered(self) -> tuple[Person, Record]:
        pick = self.random
        village = pick.choice(self.villages)
        kind = pick.choices(("elderly", "child", "adult"), weights=(45, 25, 30))[0]
        if kind == "elderly":
            band = pick.choices(("60-79", "80+"), weights=(70, 30))[0]
            groups = [pick.choice(ELDERLY)]
            if band == "80+" and groups[0] != TargetGroup.ELDERLY_ADVANCED_AGE:
                groups.append(TargetGroup.ELDERLY_ADVANCED_AGE)
        elif kind == "child":
            band = pick.choices(("0-5", "6-17"), weights=(25, 75))[0]
            groups = [pick.choice(CHILDREN)]
        else:
            band = "18-59"
            groups = [pick.choice(ADULTS)]
        if pick.random() < 0.25:
            added = pick.choice(ADDED_GROUPS)
            if added not in groups:
                groups.append(added)
        household = village[:6] if pick.random() < 0.9 else pick.choice(self.villages)[:6]
        person = Person(str(uuid7()), village, [group.value for group in groups])
        payload = PersonRegistered(
            person_id=UUID(person.id),
            residence_region=village,
            station_region=village[:9],
            groups=person.groups,
            household_region=household,
            sex=pick.choice(("male", "female")),
            age_band=band,
        )
        return person, self.record(payload, person)

    def change(self, person: Person) -> Record:
        kind = self.random.choices(
            ("updated", "group_joined", "relocated", "consent"), weights=(40, 20, 15, 25)
        )[0]
        if kind == "group_joined":
            return self.group_joined(person)
        if kind == "relocated":
            return self.relocated(person)
        if kind == "consent":
            return self.consent(person)
        fields = sorted(self.random.sample(CHANGED_FIELDS, self.random.choice((1, 1, 2))))
        return self.record(PersonUpdated(person_id=UUID(person.id), changed_fields=fields), person)

    def group_joined(self, person: Person) -> Record:
        candidates = [group.value for group in ADDED_GROUPS if group.value not in person.groups]
        if not candidates:
            return self.consent(person)
        group = self.random.choice(candidates)
        person.groups = [*person.groups, group]
        payload = PersonGroupJoined(
            person_id=UUID(person.id), group=group, since=self.day_this_year(), groups=person.groups
        )
        return self.record(payload, person)

    def relocated(self, person: Person) -> Record:
        """Mostly within the county, sometimes across the province."""
        pick = self.random
        nearby = self.villages_of_county[person.residence[:6]]
        destinations = nearby if len(nearby) > 1 and pick.random() < 0.7 else self.villages
        to_region = person.residence
        while to_region == person.residence:
            to_region = pick.choice(destinations)
        payload = PersonRelocated(
            person_id=UUID(person.id),
            from_region=person.residence,
            to_region=to_region,
            moved_on=self.day_this_year(),
            household_region=to_region[:6] if pick.random() < 0.3 else None,
        )
        person.residence = to_region
        return self.record(payload, person)

    def consent(self, person: Person) -> Record:
        valid_from = self.day_this_year()
        payload = ConsentGranted(
            person_id=UUID(person.id),
            consent_id=uuid7(),
            purpose=self.random.choice(list(ProcessingPurpose)),
            recipient_kind=self.random.choice(list(RecipientKind)),
            valid_from=valid_from,
            valid_until=valid_from + timedelta(days=365) if self.random.random() < 0.4 else None,
        )
        return self.record(payload, person)

    def all(self, persons: int, changes_per_person: float) -> Iterator[Record]:
        """Every registration, then the later changes of random persons, in the order
        intake would publish them."""
        registered = []
        for _ in range(persons):
            person, record = self.registered()
            registered.append(person)
            yield record
        for _ in range(round(persons * changes_per_person)):
            yield self.change(self.random.choice(registered))


def events_file(persons: int, changes: float) -> Path:
    """The generated events as pickled chunks of (key, value, headers), made once per
    set of options and kept for later runs."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"intake-events-v{GENERATOR_VERSION}-{persons}-{changes:g}.pickle"
    if path.exists():
        return path
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    chunk: list[Record] = []
    written = 0
    with partial.open("wb") as output:
        for record in IntakeEvents().all(persons, changes):
            chunk.append(record)
            if len(chunk) == 10_000:
                pickle.dump(chunk, output, protocol=pickle.HIGHEST_PROTOCOL)
                written += len(chunk)
                chunk = []
                if written % 200_000 == 0:
                    progress(f"generated {written:,} events")
        pickle.dump(chunk, output, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(path)
    progress(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def read_events(path: Path) -> Iterator[list[Record]]:
    with path.open("rb") as source:
        while True:
            try:
                yield pickle.load(source)
            except EOFError:
                return


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def produce(bootstrap: str, topic: str, path: Path) -> tuple[int, float, list[str]]:
    """Every event on the topic; returns how many, the seconds taken and the persons."""
    await ensure_topics(bootstrap, [topic], partitions=6)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id="bench-intake",
        linger_ms=50,
        max_batch_size=512 * 1024,
    )
    await producer.start()
    persons: list[str] = []
    produced = 0
    started = time.perf_counter()
    try:
        for chunk in read_events(path):
            deliveries = []
            for key, value, headers in chunk:
                deliveries.append(await producer.send(topic, value, key=key, headers=headers))
                if dict(headers)["event-type"] == b"person.registered":
                    persons.append(key.decode())
            await asyncio.gather(*deliveries)
            produced += len(chunk)
            if produced % 200_000 < len(chunk):
                seconds = time.perf_counter() - started
                progress(f"produced {produced:,} events, {produced / seconds:,.0f}/s")
    finally:
        await producer.stop()
    return produced, time.perf_counter() - started, persons


async def follow_ingest(
    database_url: str, expected: int, ledger: subprocess.Popen[bytes], started: float
) -> dict[str, Any]:
    """Polls the ledger's processed-event record until every event is applied."""
    engine = create_engine(database_url)
    mine = processed_events.c.consumer == CONSUMER
    applied_count = select(func.count()).select_from(processed_events).where(mine)
    applying_span = select(
        func.min(processed_events.c.processed_at), func.max(processed_events.c.processed_at)
    ).where(mine)
    maintenance = asyncio.create_task(keep_statistics(engine))
    try:
        applied = 0
        cpu_at_first: float | None = None
        applied_at_first = 0
        last_change = time.perf_counter()
        last_report, reported = last_change, 0
        while applied < expected:
            await asyncio.sleep(1)
            if ledger.poll() is not None:
                raise RuntimeError(f"the ledger exited with code {ledger.returncode}")
            async with engine.connect() as connection:
                count = int(await connection.scalar(applied_count) or 0)
            now = time.perf_counter()
            if count != applied:
                if applied == 0:
                    cpu_at_first, applied_at_first = cpu_seconds(ledger.pid), count
                applied, last_change = count, now
            elif now - last_change > STALL_SECONDS:
                raise RuntimeError(
                    f"no event applied for {STALL_SECONDS:.0f} s: {applied:,} of {expected:,}"
                )
            if now - last_report >= PROGRESS_SECONDS or applied >= expected:
                rate = (applied - reported) / (now - last_report)
                progress(f"applied {applied:,} of {expected:,} events, {rate:,.0f}/s")
                last_report, reported = now, applied
        total_seconds = time.perf_counter() - started
        cpu_at_last = cpu_seconds(ledger.pid)
        async with engine.connect() as connection:
            first, last = (await connection.execute(applying_span)).one()
        applying_seconds = (last - first).total_seconds()
        drained = await wait_for_outbox(engine)
        async with engine.connect() as connection:
            files = int(await connection.scalar(select(func.count()).select_from(LedgerFileRecord)))
    finally:
        maintenance.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await maintenance
        await engine.dispose()
    ledger_cpu = None if cpu_at_first is None or cpu_at_last is None else cpu_at_last - cpu_at_first
    return {
        "events_applied": applied,
        "files": files,
        "seconds_from_start": round(total_seconds, 1),
        "seconds_applying": round(applying_seconds, 1),
        "events_per_second": round(applied / applying_seconds),
        "target_events_per_second": TARGET_EVENTS_PER_SECOND,
        # Unlike the rate, the ledger's own CPU time does not depend on what else runs.
        "ledger_cpu_seconds": None if ledger_cpu is None else round(ledger_cpu, 1),
        "events_per_ledger_cpu_second": (
            round((applied - applied_at_first) / ledger_cpu) if ledger_cpu else None
        ),
        "outbox_drained_seconds_later": drained,
        # Wall-clock rates depend on what else the machine runs.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


async def keep_statistics(engine: AsyncEngine) -> None:
    """On PostgreSQL, what autovacuum does, every ``MAINTENANCE_SECONDS``: the test
    server runs without it, and without fresh statistics and vacuumed dead rows the
    relay's query for unpublished outbox rows turns into a scan of the whole table (a
    second per 500 rows at a million events), which a production server would not see."""
    if engine.dialect.name != "postgresql":
        return
    while True:
        await asyncio.sleep(MAINTENANCE_SECONDS)
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM (ANALYZE) outbox"))
            await autocommit.execute(text("ANALYZE"))


async def wait_for_outbox(engine: Any) -> float | None:
    """Seconds until the ledger's relay had published the events it wrote while applying
    (a `ledger.file_opened` per file), so that reads are measured without it."""
    started = time.perf_counter()
    unpublished = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    last_change, last_backlog = started, -1
    while True:
        async with engine.connect() as connection:
            backlog = int(await connection.scalar(unpublished) or 0)
        now = time.perf_counter()
        if backlog == 0:
            return round(now - started, 1)
        if backlog != last_backlog:
            last_change, last_backlog = now, backlog
        elif now - last_change > STALL_SECONDS:
            progress(f"the ledger's outbox is stuck at {backlog:,} events; reading anyway")
            return None
        progress(f"ledger outbox: {backlog:,} events to publish")
        await asyncio.sleep(PROGRESS_SECONDS)


def percentiles(milliseconds: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(milliseconds, n=100, method="inclusive")
    return {"p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1)}


def read_files(base_url: str, token: str, persons: list[str]) -> dict[str, Any]:
    """Sequential reads of a file and of its timeline, in milliseconds."""
    paths = {"file": "/files/{}", "timeline": "/files/{}/timeline"}
    timings: dict[str, list[float]] = {name: [] for name in paths}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for number, person in enumerate(persons):
            for name, path in paths.items():
                started = time.perf_counter()
                client.get(path.format(person)).raise_for_status()
                if number >= WARM_UP_READS:
                    timings[name].append((time.perf_counter() - started) * 1000)
    return {
        f"{name}_ms": percentiles(values) | {"target_p99": TARGET_P99_MS}
        for name, values in timings.items()
    } | {"reads": len(timings["file"])}


def ledger_log_tail(data_dir: str, lines: int = 30) -> str:
    log = Path(data_dir) / "ledger.log"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


def measure(
    database: str, url: str, bootstrap: str, events: Path, options: argparse.Namespace
) -> dict[str, Any]:
    prefix = f"bench{time.time_ns()}."
    progress(f"{database}: producing the events to {prefix}{topics.PERSON}")
    produced, produce_seconds, persons = asyncio.run(
        produce(bootstrap, f"{prefix}{topics.PERSON}", events)
    )
    progress(f"{database}: produced {produced:,} events in {produce_seconds:.1f} s; ledger starts")
    with tempfile.TemporaryDirectory() as data_dir:
        database_url = url or f"sqlite+aiosqlite:///{data_dir}/ledger.db"
        settings = Settings(data_dir=Path(data_dir))
        stack = Stack(settings, ports={"ledger": free_port()}, log_dir=Path(data_dir))
        code = code_version()
        started = time.perf_counter()
        stack.start_service("ledger", {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "WUSHE_TOPIC_PREFIX": prefix,
            "LEDGER_DATABASE_URL": database_url, "WUSHE_DATA_DIR": data_dir,
            "WUSHE_LOG_LEVEL": "WARNING",
        })  # fmt: skip
        try:
            stack.wait_ready(("ledger",), timeout=120)
            ingest = asyncio.run(
                follow_ingest(database_url, produced, stack.processes["ledger"], started)
            )
            progress(f"{database}: reading {options.reads:,} files and timelines")
            token = mint_token(settings, subject="bench", role=Role.STATION_STAFF, region="420000")
            sample = random.sample(persons, min(len(persons), options.reads + WARM_UP_READS))
            reads = read_files(stack.url("ledger"), token, sample)
        except Exception:
            progress(f"the ledger's log ends with:\n{ledger_log_tail(data_dir)}")
            raise
        finally:
            stack.stop_all()
    figures = {
        "database": database,
        "persons": options.persons,
        "changes_per_person": options.changes,
        "code": code,
        "events_produced": produced,
        "produced_per_second": round(produced / produce_seconds),
    }
    figures |= ingest | reads
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return figures


def code_version() -> str:
    """The commit the ledger runs, marked dirty when the checkout has changes."""
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent,
        check=False,
    )
    return described.stdout.strip() or "unknown"


def table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| database | files | events | ingest | events/s, wall (target 6,400) | events per "
        "ledger CPU-second | load | file p50/p95/p99 ms | timeline p50/p95/p99 ms "
        "(p99 target 20) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        file, timeline = result["file_ms"], result["timeline_ms"]
        per_cpu_second = result["events_per_ledger_cpu_second"]
        rows.append(
            f"| {result['database']} | {result['files']:,} | {result['events_applied']:,} "
            f"| {result['seconds_applying']:.1f} s | {result['events_per_second']:,} "
            f"| {f'{per_cpu_second:,}' if per_cpu_second else 'n/a'} "
            f"| {result['load_average_1m']} "
            f"| {file['p50']} / {file['p95']} / {file['p99']} "
            f"| {timeline['p50']} / {timeline['p95']} / {timeline['p99']} |"
        )
    return "\n".join(rows)


def as_figures(result: dict[str, Any]) -> list[Figure]:
    database = {"postgres": "PostgreSQL", "sqlite": "SQLite"}[result["database"]]
    conditions = (
        f"{result['files']:,} files, {result['events_applied']:,} events; "
        f"load average {result['load_average_1m']}"
    )
    figures = [
        Figure("ledger", f"events applied, {database}", result["events_per_second"], "events/s",
               TARGET_EVENTS_PER_SECOND, "higher",
               f"{conditions}; {result['seconds_applying']} s applying"),
        Figure("ledger", f"events per ledger CPU-second, {database}",
               result["events_per_ledger_cpu_second"], "events/CPU-s", note=conditions),
    ]  # fmt: skip
    for read in ("file", "timeline"):
        cuts = result[f"{read}_ms"]
        figures.append(Figure(
            "ledger", f"{read} read p99, {database}", cuts["p99"], "ms", TARGET_P99_MS, "lower",
            f"p50 {cuts['p50']} ms, p95 {cuts['p95']} ms; {result['reads']:,} reads of "
            f"{result['files']:,} files",
        ))  # fmt: skip
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument(
        "--changes", type=float, default=0.25, help="further events per person, on average"
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), action="append")
    parser.add_argument("--reads", type=int, default=READS, help="files and timelines read")
    options = parser.parse_args()
    databases = options.database or ["postgres", "sqlite"]
    events = events_file(options.persons, options.changes)
    results = []
    with kafka_bootstrap() as bootstrap:
        for database in databases:
            with scratch_database(database, "ledger") as url:
                if url is not None:
                    results.append(measure(database, url, bootstrap, events, options))
    record(figure for result in results for figure in as_figures(result))
    print(table(results))


if __name__ == "__main__":
    main()
