"""A batched consumer's process runs two members of its service's consumer group on
PostgreSQL, started together: they join in one round, each with its own share of the
partitions, and between them apply every event once. SQLite takes one writer at a time:
one member there."""

import asyncio
import uuid
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition
from sqlalchemy import func, select

from support.kafka_tools import publish
from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.entrypoints.events import register_handlers
from wushe.shared.events import Producer, new_event, topics
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.kafka import DEFAULT_PARTITIONS
from wushe.shared.messaging_tables import processed_events
from wushe.shared.runtime import ServiceRuntime, build_runtime
from wushe.shared.settings import ServiceSettings

INTAKE = Producer(service="intake", deployment="test")
PERSONS = 60
VILLAGE = "420704001001"


def registration(person_id: uuid.UUID) -> bytes:
    payload = PersonRegistered(
        person_id=person_id,
        residence_region=VILLAGE,
        station_region=VILLAGE,
        groups=["elderly_living_alone"],
    )
    event = new_event(payload, subject=str(person_id), region_code=VILLAGE, producer=INTAKE)
    return event.model_dump_json().encode()


async def applied(runtime: ServiceRuntime) -> tuple[int, int]:
    async with runtime.sessions() as session:
        files = await session.scalar(select(func.count()).select_from(LedgerFileRecord))
        claims = await session.scalar(select(func.count()).select_from(processed_events))
    return int(files or 0), int(claims or 0)


def members_of(runtime: ServiceRuntime) -> list[Any]:
    return [subscriber.consumer for subscriber in runtime.broker.subscribers]


async def offsets_committed(member: Any) -> int:
    return sum([(await member.committed(partition)) or 0 for partition in member.assignment()])


async def test_members_share_the_partitions_and_apply_each_event_once(
    backend: str, empty_database: str, bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    settings = ServiceSettings(
        service="ledger",
        database_url=empty_database,
        kafka_bootstrap_servers=bootstrap,
        topic_prefix=topic_prefix,
        data_dir=tmp_path,
    )
    runtime = build_runtime(
        "ledger", MIGRATIONS, consumes=[topics.PERSON], settings=settings, batched=True
    )
    register_handlers(runtime)
    await runtime.start()
    try:
        members = members_of(runtime)
        assert len(members) == (2 if backend == "postgres" else 1)
        topic = settings.topic(topics.PERSON)
        shares = [member.assignment() for member in members]
        assert all(shares), shares
        assert set().union(*shares) == {
            TopicPartition(topic, partition) for partition in range(DEFAULT_PARTITIONS)
        }
        assert sum(len(share) for share in shares) == DEFAULT_PARTITIONS

        persons = [uuid.uuid4() for _ in range(PERSONS)]
        await publish(bootstrap, topic, [(str(p).encode(), registration(p)) for p in persons])
        for _ in range(300):
            if await applied(runtime) == (PERSONS, PERSONS):
                break
            await asyncio.sleep(0.1)
        assert await applied(runtime) == (PERSONS, PERSONS)
        # Each member committed the offsets of its own partitions' events.
        for _ in range(100):
            committed = [await offsets_committed(member) for member in members]
            if sum(committed) == PERSONS:
                break
            await asyncio.sleep(0.1)
        assert sum(committed) == PERSONS and all(committed), committed
    finally:
        await runtime.stop()
