"""The outbox: a crash between commit and publish still publishes the event, once."""

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, text

from integration.conftest import MigratedDatabase
from wushe.cli.topic_reader import read_topic
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.bootstrap import MIGRATIONS
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.registration import register_person
from wushe.shared.auth import Caller, Role
from wushe.shared.events import EventEnvelope, Producer
from wushe.shared.messaging_tables import outbox
from wushe.shared.relay import RELAY_LOCK_KEY, OutboxRelay
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
            assert await relay.publish_pending() == 0
        assert await relay.publish_pending() == 1
    finally:
        await relay.stop()
