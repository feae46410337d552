"""A rebuild applies each event on the topics once, under its trace, and counts what it
skips: repeats, records that are no events, payloads their model refuses, types no
projector applies, and an event a projector fails on (the rest of its batch is applied)."""

import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from integration.conftest import MigratedDatabase, Sessions
from wushe.ledger.adapters.orm import LedgerFileRecord, TimelineEntryRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.service_layer.projectors import projection
from wushe.ledger.service_layer.rebuild import rebuild
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.intake import PersonDeceased, PersonRegistered
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.kafka import ensure_topics
from wushe.shared.messaging_tables import processed_events
from wushe.shared.settings import Settings

INTAKE = Producer(service="intake", deployment="test")
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = [("traceparent", f"00-{TRACE_ID}-b7ad6b7169203331-01".encode())]

Message = tuple[str, EventEnvelope | bytes, list[tuple[str, bytes]]]


def registered(person_id: uuid.UUID) -> EventEnvelope:
    return new_event(
        PersonRegistered(person_id=person_id, residence_region="420704001003",
                         station_region="420704", groups=["elderly_living_alone"]),
        subject=str(person_id), region_code="420704001003", producer=INTAKE,
    )  # fmt: skip


def deceased(person_id: uuid.UUID) -> EventEnvelope:
    return new_event(
        PersonDeceased(person_id=person_id, died_on="2026-11-01"),
        subject=str(person_id), region_code="420704001003", producer=INTAKE,
    )  # fmt: skip


async def publish(bootstrap: str, prefix: str, messages: list[Message]) -> None:
    await ensure_topics(bootstrap, [f"{prefix}intake.person", f"{prefix}ledger.file"])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for topic, message, headers in messages:
            body = message.to_bytes() if isinstance(message, EventEnvelope) else message
            # One key for all, so the records keep the order they are sent in.
            await producer.send_and_wait(f"{prefix}{topic}", body, key=b"k", headers=headers)
    finally:
        await producer.stop()


def url_of(sessions: Sessions) -> str:
    url: str = sessions.kw["bind"].url.render_as_string(hide_password=False)
    return url


async def processed(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(processed_events)) or 0)


async def test_each_event_is_applied_once_under_its_trace_and_the_rest_counted(
    migrated_database: MigratedDatabase, bootstrap: str, topic_prefix: str
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = uuid.uuid4()
    opening, death = registered(person), deceased(person)
    unknown = opening.model_copy(update={"id": uuid.uuid4(), "type": "person.teleported"})
    refused = opening.model_copy(update={"id": uuid.uuid4(), "payload": {"persona_id": "x"}})
    file_opened = new_event(
        LedgerFileOpened(file_id=uuid.uuid4(), person_id=person, region_code="420704001003",
                         groups=["elderly_living_alone"]),
        subject=str(person), region_code="420704001003", producer=INTAKE,
    )  # fmt: skip
    await publish(bootstrap, topic_prefix, [
        ("intake.person", opening, TRACEPARENT),
        ("intake.person", opening, TRACEPARENT),
        ("intake.person", b'{"id": "not even json', []),
        ("intake.person", refused, []),
        ("intake.person", unknown, []),
        ("intake.person", death, []),
        ("ledger.file", file_opened, TRACEPARENT),
    ])  # fmt: skip
    settings = Settings(kafka_bootstrap_servers=bootstrap, topic_prefix=topic_prefix)
    progress: list[tuple[int, int]] = []

    summary = await rebuild(
        url_of(sessions), settings, batch_size=3, progress=lambda *done: progress.append(done)
    )

    assert (summary.total, summary.applied, summary.already_applied) == (7, 2, 1)
    assert (summary.unreadable, summary.not_projected, summary.failed) == (2, 2, [])
    assert progress == [(3, 7), (6, 7), (7, 7)] and summary.events_per_second > 0
    async with sessions() as session:
        kept = await session.scalar(select(LedgerFileRecord))
        assert kept is not None and kept.status == "closed" and kept.trace_id == TRACE_ID
        entries = (await session.scalars(select(TimelineEntryRecord))).all()
        traces = {entry.event_type: entry.trace_id for entry in entries}
        assert traces == {"person.registered": TRACE_ID, "person.deceased": None}
    assert await processed(sessions) == 2

    again = await rebuild(url_of(sessions), settings)

    assert (again.total, again.applied, again.already_applied, again.failed) == (7, 0, 3, [])
    assert await processed(sessions) == 2


async def test_an_event_a_projector_fails_on_is_reported_and_its_batch_applied(
    migrated_database: MigratedDatabase,
    bootstrap: str,
    topic_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def fail(_applying: Any) -> None:
        raise RuntimeError("projector bug")

    monkeypatch.setitem(projection._projectors, "person.deceased", [fail])
    sessions = await migrated_database("ledger", MIGRATIONS)
    first, second = uuid.uuid4(), uuid.uuid4()
    death = deceased(first)
    await publish(bootstrap, topic_prefix, [
        ("intake.person", registered(first), TRACEPARENT),
        ("intake.person", death, TRACEPARENT),
        ("intake.person", registered(second), TRACEPARENT),
    ])  # fmt: skip
    settings = Settings(kafka_bootstrap_servers=bootstrap, topic_prefix=topic_prefix)

    summary = await rebuild(url_of(sessions), settings)

    assert (summary.applied, summary.failed) == (2, [str(death.id)])
    async with sessions() as session:
        files = (await session.scalars(select(LedgerFileRecord))).all()
        assert {(f.person_id, f.status) for f in files} == {(str(first), "open"),
                                                            (str(second), "open")}  # fmt: skip
    assert await processed(sessions) == 2
