"""Alerts notify sends about a person reach the person's ledger file through the broker:
notify writes ``alert.raised`` to its outbox with the alert, its relay publishes it, the
ledger puts it on the timeline (on the survivor's, for a person merged into another),
and an acknowledgement follows the same way. The events carry the names of the fields
shared, never their values, and no partner's name or address."""

import uuid
from datetime import date

from aiokafka import AIOKafkaProducer
from sqlalchemy import select

from integration.conftest import MigratedDatabase, Sessions
from integration.notify_routing_support import INTAKE, MIGRATIONS, VILLAGE, Notify
from wushe.cli.topic_reader import read_topic
from wushe.ledger.adapters.orm import TimelineEntryRecord
from wushe.ledger.bootstrap import MIGRATIONS as LEDGER_MIGRATIONS
from wushe.ledger.domain.timeline_words import detail_words, event_words
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.ledger.service_layer.rebuild import REPLAYED_TOPICS, rebuild
from wushe.ledger.service_layer.timeline import persons_on_file, timeline_of
from wushe.notify.service_layer.alert_actions import acknowledge
from wushe.notify.service_layer.alert_events import AlertEvents
from wushe.notify.service_layer.routing import Router
from wushe.notify.service_layer.routing_snapshot import load_snapshot
from wushe.notify.service_layer.sweeps import Sweeper
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.consent import RecipientKind
from wushe.shared.events.intake import PersonMerged, PersonRegistered
from wushe.shared.events.visits import CrisisKind, CrisisReported, VisitOverdue
from wushe.shared.kafka import ensure_topics
from wushe.shared.messaging_tables import outbox
from wushe.shared.relay import OutboxRelay
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

NOTIFY = Producer(service="notify", deployment="test")
LEDGER_CONSUMER = Producer(service="ledger", deployment="test")


def registered(person: uuid.UUID) -> EventEnvelope:
    payload = PersonRegistered(
        person_id=person, residence_region=VILLAGE, station_region=VILLAGE[:9], groups=["child"]
    )
    return new_event(payload, subject=str(person), region_code=VILLAGE, producer=INTAKE)


async def publish(sessions: Sessions, bootstrap: str) -> int:
    relay = OutboxRelay(sessions, lambda: AIOKafkaProducer(bootstrap_servers=bootstrap))
    await relay.open()
    try:
        return await relay.publish_pending()
    finally:
        await relay.stop()


async def test_alerts_about_a_person_are_on_the_survivors_timeline(
    migrated_database: MigratedDatabase, bootstrap: str, topic_prefix: str
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    events = AlertEvents(NOTIFY, topic_prefix)
    notify.router = Router(notify.cipher, notify.clock, events=events)
    ledger = await migrated_database("ledger", LEDGER_MIGRATIONS)
    survivor, merged = uuid.uuid4(), uuid.uuid4()
    merge = PersonMerged(survivor_id=survivor, merged_id=merged, merge_id=uuid.uuid4(),
                         groups=["child_left_behind"])  # fmt: skip
    from_intake = [
        registered(survivor),
        registered(merged),
        new_event(merge, subject=str(survivor), region_code=VILLAGE, producer=INTAKE),
    ]
    for event in from_intake:
        await apply_consumed(UnitOfWork(ledger), event, LEDGER_CONSUMER)

    await notify.partner("station", email="desk@station.example")
    police = await notify.partner("police")
    await notify.agreement(police, ["crisis.reported"], ["crisis_kind"])
    await notify.consent(str(merged), RecipientKind.POLICE)
    crisis = CrisisReported(visit_id=uuid.uuid4(), person_id=merged,
                            crisis_kind=CrisisKind.ABUSE, found_on=date(2026, 11, 24))  # fmt: skip
    cause = await notify.route(crisis, str(merged))
    police_alert = next(alert for alert in await notify.alerts() if alert.partner_id == police)
    async with notify.sessions() as session, session.begin():
        await acknowledge(session, police_alert.id, f"partner:{police}", notify.clock(), events)
    assert await publish(notify.sessions, bootstrap) == 3

    records = await read_topic(bootstrap, f"{topic_prefix}notify.alert")
    events = [EventEnvelope.model_validate_json(record.value) for record in records]
    assert {record.key for record in records} == {str(merged).encode()}
    assert sorted(event.type for event in events) == [
        "alert.acknowledged", "alert.raised", "alert.raised"
    ]  # fmt: skip
    for record in records:
        assert b"abuse" not in record.value and b"desk@station" not in record.value
    raised = {
        event.payload["partner_kind"]: event for event in events if event.type == "alert.raised"
    }
    assert raised["police"].payload["fields_shared"] == ["crisis_kind"]
    assert raised["station"].payload["fields_shared"] == []
    assert raised["station"].payload["channels"] == ["webhook", "email"]
    assert raised["station"].payload["urgent"] is True
    assert all(event.causation_id == cause.id for event in raised.values())

    for event in events:
        await apply_consumed(UnitOfWork(ledger), event, LEDGER_CONSUMER)
    async with ledger() as session:
        entries, _ = await timeline_of(
            session, await persons_on_file(session, str(survivor)), limit=50, offset=0
        )
    about_alerts = [entry for entry in entries if entry.source == "notify"]
    assert sorted(entry.event_type for entry in about_alerts) == [
        "alert.acknowledged", "alert.raised", "alert.raised"
    ]  # fmt: skip
    assert {entry.person_id for entry in about_alerts} == {str(merged)}
    police_entry = next(
        entry for entry in about_alerts if entry.details.get("partner_kind") == "police"
        and entry.event_type == "alert.raised"
    )  # fmt: skip
    assert police_entry.region_code == VILLAGE
    assert police_entry.occurred_at is not None and police_entry.actor is None
    assert event_words(police_entry.event_type) == "预警通知"
    assert "about: 危机报告" in detail_words(police_entry.details)
    assert "fields_shared: crisis_kind" in detail_words(police_entry.details)

    # A rebuild from the topics arrives at the same timeline.
    await publish_events(bootstrap, topic_prefix, from_intake)
    rebuilt = await migrated_database("ledger_rebuilt", LEDGER_MIGRATIONS)
    settings = Settings(kafka_bootstrap_servers=bootstrap, topic_prefix=topic_prefix)
    summary = await rebuild(url_of(rebuilt), settings)
    assert summary.failed == []
    assert await timeline_rows(rebuilt) == await timeline_rows(ledger)


async def publish_events(bootstrap: str, prefix: str, events: list[EventEnvelope]) -> None:
    await ensure_topics(bootstrap, [f"{prefix}{topic}" for topic in REPLAYED_TOPICS])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                f"{prefix}intake.person", event.to_bytes(), key=event.subject.encode()
            )
    finally:
        await producer.stop()


def url_of(sessions: Sessions) -> str:
    url: str = sessions.kw["bind"].url.render_as_string(hide_password=False)
    return url


async def timeline_rows(sessions: Sessions) -> list[tuple[object, ...]]:
    async with sessions() as session:
        rows = await session.scalars(
            select(TimelineEntryRecord).order_by(
                TimelineEntryRecord.event_id, TimelineEntryRecord.person_id
            )
        )
        return [
            (row.event_id, row.person_id, row.event_type, row.source, row.actor,
             row.region_code, row.details, row.occurred_at.replace(tzinfo=None))
            for row in rows
        ]  # fmt: skip


async def test_an_escalation_is_announced_as_an_alert_of_its_own(
    migrated_database: MigratedDatabase, topic_prefix: str
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    notify.router = Router(notify.cipher, notify.clock, events=AlertEvents(NOTIFY, topic_prefix))
    sweeper = Sweeper(notify.sessions, notify.router)
    volunteers = await notify.partner("volunteer_team")
    await notify.partner("station")
    person = uuid.uuid4()
    missed = VisitOverdue(
        person_id=person, due_on=date(2026, 11, 20), interval_days=7,
        detected_on=date(2026, 11, 24), notified_level="volunteer_team",
    )  # fmt: skip
    await notify.route(missed, str(person))
    notify.clock.advance(hours=25)
    assert await sweeper.escalate_unacknowledged() == 1

    async with notify.sessions() as session:
        bodies = (await session.scalars(select(outbox.c.body).order_by(outbox.c.id))).all()
    first, escalation = (EventEnvelope.model_validate_json(body) for body in bodies)
    [original] = await notify.alerts(volunteers)
    assert first.payload["alert_id"] == original.id
    assert (first.payload["partner_kind"], first.payload["escalation_of"]) == (
        "volunteer_team", None
    )  # fmt: skip
    assert escalation.payload["partner_kind"] == "station"
    assert escalation.payload["reason"] == "escalation"
    assert escalation.payload["escalation_of"] == original.id
    assert {first.subject, escalation.subject} == {str(person)}


async def test_alert_events_are_written_when_their_transaction_commits_and_only_then(
    migrated_database: MigratedDatabase, topic_prefix: str
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    wakes: list[int] = []
    events = AlertEvents(NOTIFY, topic_prefix, wake_relay=lambda: wakes.append(1))
    router = Router(notify.cipher, notify.clock, events=events)
    await notify.partner("station")

    async def outbox_rows() -> int:
        async with notify.sessions() as session:
            return len((await session.scalars(select(outbox.c.id))).all())

    def crisis() -> EventEnvelope:
        person = uuid.uuid4()
        payload = CrisisReported(
            visit_id=uuid.uuid4(), person_id=person, crisis_kind=CrisisKind.MISSING,
            found_on=date(2026, 11, 24),
        )  # fmt: skip
        return new_event(payload, subject=str(person), region_code=VILLAGE, producer=INTAKE)

    async with notify.sessions() as session:
        await router.route_claimed(session, crisis(), await load_snapshot(session))
        await session.rollback()
        await session.commit()  # a later commit of the same session writes nothing
    assert (await outbox_rows(), wakes) == (0, [])

    # Two events in one transaction (a poll): their rows in one insert, one wake.
    async with notify.sessions() as session:
        snapshot = await load_snapshot(session)
        await router.route_claimed(session, crisis(), snapshot)
        await router.route_claimed(session, crisis(), snapshot)
        await session.commit()
    assert (await outbox_rows(), wakes) == (2, [1])
    await router.route(UnitOfWork(notify.sessions), crisis())
    assert (await outbox_rows(), wakes) == (3, [1, 1])
