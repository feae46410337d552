"""The outbox: a crash between commit and publish still publishes the event, once; each
message carries the trace context of the transaction that wrote it; sent rows are
deleted once past their retention."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import func, select, text

from integration.conftest import MigratedDatabase, Sessions
from integration.outbox_rows import write_outbox_rows
from wushe.cli.topic_reader import read_topic
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.bootstrap import MIGRATIONS
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.registration import register_person
from wushe.shared import relay as relay_module
from wushe.shared.auth import Caller, Role
from wushe.shared.event_spans import export_event_spans_to
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.messaging_tables import outbox
from wushe.shared.outbox import outbox_row
from wushe.shared.relay import RELAY_LOCK_KEY, OutboxRelay, unpublished_count
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

VAULT = PersonalDataVault(Settings().field_cipher(), "index-key")
CLERK = Caller(subject="clerk", role=Role.STATION_STAFF, region="420704")
PRODUCER = Producer(service="intake", deployment="test")


async def test_event_committed_before_a_crash_is_published_once_after_restart(
    migrated_database: MigratedDatabase, bootstrap: str, topic_prefix: str
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    registration = PersonRegistration(
        full_name="陈七",
        birth_date="2015-06-01",
        residence_region="420704",
        household_region="420704",
        groups=["child_orphan"],
    )
    # The process commits and dies before any relay runs: no broker is involved yet.
    person_id = await register_person(
        UnitOfWork(sessions, topic_prefix=topic_prefix),
        registration, caller=CLERK, producer=PRODUCER, vault=VAULT,
    )  # fmt: skip
    async with sessions() as session:
        pending = await session.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))
    assert pending == 1

    restarted_relay = OutboxRelay(sessions, lambda: AIOKafkaProducer(bootstrap_servers=bootstrap))
    await restarted_relay.open()
    try:
        assert await restarted_relay.publish_pending() == 1
        assert await restarted_relay.publish_pending() == 0
    finally:
        await restarted_relay.stop()

    records = await read_topic(bootstrap, f"{topic_prefix}intake.person")
    events = [EventEnvelope.model_validate_json(record.value) for record in records]
    assert [event.payload["person_id"] for event in events] == [str(person_id)]
    assert records[0].key == str(person_id).encode()
    headers = dict(records[0].headers)
    assert headers["event-type"] == b"person.registered"


async def test_a_rolled_back_command_leaves_no_event(
    migrated_database: MigratedDatabase, topic_prefix: str
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    registration = PersonRegistration(
        full_name="陈七", id_number="11010519491231002X", residence_region="420704",
        household_region="110105", groups=["elderly_living_alone"],
    )  # fmt: skip
    uow = UnitOfWork(sessions, topic_prefix=topic_prefix)
    await register_person(uow, registration, caller=CLERK, producer=PRODUCER, vault=VAULT)
    try:
        await register_person(uow, registration, caller=CLERK, producer=PRODUCER, vault=VAULT)
    except Exception as error:
        assert "already registered" in str(error)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(outbox)) == 1


async def test_one_replica_relays_at_a_time_on_postgresql(
    migrated_database: MigratedDatabase, backend: str, bootstrap: str, topic_prefix: str
) -> None:
    if backend != "postgres":
        pytest.skip("SQLite serves one process per service file: no replicas to coordinate")
    sessions = await migrated_database("intake", MIGRATIONS)
    registration = PersonRegistration(
        full_name="周八",
        residence_region="420704",
        groups=["homeless"],
        profiles={"homeless": {"found_at": "鄂州火车站", "found_on": "2026-11-20"}},
    )
    await register_person(
        UnitOfWork(sessions, topic_prefix=topic_prefix),
        registration, caller=CLERK, producer=PRODUCER, vault=VAULT,
    )  # fmt: skip
    relay = OutboxRelay(sessions, lambda: AIOKafkaProducer(bootstrap_servers=bootstrap))
    await relay.open()
    try:
        async with sessions() as other_replica, other_replica.begin():
            await other_replica.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
            )
            waiting = asyncio.create_task(relay.publish_pending())
            await asyncio.sleep(0.5)
            assert not waiting.done()
            assert await unpublished_count(sessions) == 1
        assert await asyncio.wait_for(waiting, 10) == 1
        assert await unpublished_count(sessions) == 0
    finally:
        await relay.stop()


async def test_a_relay_waiting_for_its_turn_stops_at_once(
    migrated_database: MigratedDatabase, backend: str, bootstrap: str
) -> None:
    if backend != "postgres":
        pytest.skip("SQLite serves one process per service file: no replicas to coordinate")
    sessions = await migrated_database("intake", MIGRATIONS)
    relay = OutboxRelay(sessions, lambda: AIOKafkaProducer(bootstrap_servers=bootstrap))
    waiting_for_a_turn = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    async with sessions() as other_replica, other_replica.begin():
        await other_replica.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
        )
        await relay.start()
        await asyncio.sleep(0.5)
        async with sessions() as session:
            assert await session.scalar(waiting_for_a_turn) == 1
        await asyncio.wait_for(relay.stop(), 10)
    # The relay's own wait was called off in PostgreSQL too, not left to take the turn later.
    async with sessions() as session:
        assert await session.scalar(waiting_for_a_turn) == 0


async def test_messages_carry_their_writers_trace_and_the_sending_links_to_it(
    migrated_database: MigratedDatabase, bootstrap: str, topic_prefix: str
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    writers = [f"00-{index + 1:032x}-{index + 1:016x}-01" for index in range(3)]
    opened = [LedgerFileOpened(file_id=uuid4(), person_id=uuid4(), region_code="420704")
              for _ in writers]  # fmt: skip
    events = [new_event(payload, subject=str(payload.person_id), region_code="420704",
                        producer=PRODUCER) for payload in opened]  # fmt: skip
    # Two events written by the first trace (one transaction's), one by each other.
    stored = [writers[0], writers[0], writers[1]]
    async with sessions() as session, session.begin():
        for event, traceparent in zip(events, stored, strict=True):
            row = outbox_row(event, topic_prefix, headers={"traceparent": traceparent})
            await session.execute(outbox.insert().values(**row))
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    export_event_spans_to(provider, processor)
    relay = OutboxRelay(
        sessions, lambda: AIOKafkaProducer(bootstrap_servers=bootstrap), tracer_provider=provider
    )
    await relay.open()
    try:
        assert await relay.publish_pending() == 3
    finally:
        await relay.stop()

    records = await read_topic(bootstrap, f"{topic_prefix}ledger.file")
    carried = {EventEnvelope.model_validate_json(r.value).id: dict(r.headers) for r in records}
    assert [carried[event.id]["traceparent"].decode() for event in events] == stored
    (span,) = exporter.get_finished_spans()
    assert span.name == "outbox relay ledger.file_opened"
    assert span.kind is SpanKind.PRODUCER
    assert dict(span.attributes or {}) == {
        "messaging.destination": f"{topic_prefix}ledger.file",
        "messaging.batch.message_count": 3,
    }
    linked = {(link.context.trace_id, link.context.span_id) for link in span.links}
    assert linked == {(1, 1), (2, 2)}


async def _outbox_rows(sessions: Sessions, topic_prefix: str, ages: list[timedelta | None]) -> None:
    """Rows sent that long ago (None: not sent), all written nine days ago."""
    now = datetime.now(UTC)
    sent_at = [now - age if age else None for age in ages]
    await write_outbox_rows(sessions, topic_prefix, sent_at, created_at=now - timedelta(days=9))


async def _sent_at(sessions: Sessions) -> list[datetime | None]:
    async with sessions() as session:
        return list((await session.execute(select(outbox.c.published_at))).scalars().all())


async def test_sent_rows_past_their_retention_are_deleted_and_unsent_ones_kept(
    migrated_database: MigratedDatabase, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    # Sent 8 days ago (five of them), sent yesterday, and never sent though written long ago.
    await _outbox_rows(sessions, topic_prefix, [timedelta(days=8)] * 5 + [timedelta(days=1), None])
    # A few rows a statement, so that the purge takes several.
    monkeypatch.setattr(relay_module, "PURGE_BATCH", 2)
    relay = OutboxRelay(sessions, lambda: AIOKafkaProducer(), retention=timedelta(days=7))

    cutoff = datetime.now(UTC) - timedelta(days=7)
    assert [await relay.purge_published(cutoff) for _ in range(4)] == [2, 2, 1, 0]
    kept = await _sent_at(sessions)
    assert len(kept) == 2 and sum(at is None for at in kept) == 1


async def test_a_running_relay_publishes_new_rows_and_purges_old_ones_between_rounds(
    migrated_database: MigratedDatabase,
    bootstrap: str,
    topic_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    await _outbox_rows(sessions, topic_prefix, [timedelta(days=8)] * 5 + [None])
    monkeypatch.setattr(relay_module, "PURGE_BATCH", 2)
    relay = OutboxRelay(
        sessions, lambda: AIOKafkaProducer(bootstrap_servers=bootstrap), poll_seconds=0.05,
        retention=timedelta(days=7),
    )  # fmt: skip
    await relay.start()
    try:
        for _ in range(200):
            sent = await _sent_at(sessions)
            if len(sent) == 1 and sent[0] is not None:
                break
            await asyncio.sleep(0.05)
    finally:
        await relay.stop()
    # The old rows went in three purges; the new one was published, not held up by them.
    [sent_now] = await _sent_at(sessions)
    assert sent_now is not None
    assert datetime.now(UTC) - sent_now.replace(tzinfo=UTC) < timedelta(minutes=1)
