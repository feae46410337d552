"""Composition root shared by the four services: database, broker, relay, consumer."""

import asyncio
import gc
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from pydantic import create_model
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from wushe.shared.batch_consumer import BatchConsumer, ConsumedEvent
from wushe.shared.db import create_engine, session_factory, snapshot
from wushe.shared.dead_letter import DeadLetterMiddleware, DeadLetterPolicy
from wushe.shared.dispatcher import EventDispatcher
from wushe.shared.events import EventEnvelope, Producer
from wushe.shared.events.catalog import registry
from wushe.shared.events.topics import dead_letter
from wushe.shared.kafka import create_broker, create_relay_producer, ensure_topics
from wushe.shared.migrations import upgrade_to_head
from wushe.shared.outbox_backlog import OutboxBacklog
from wushe.shared.relay import OutboxRelay
from wushe.shared.settings import ServiceSettings, service_settings
from wushe.shared.structured_logging import setup_logging
from wushe.shared.telemetry import setup_tracing
from wushe.shared.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)


YOUNG_OBJECTS_PER_COLLECTION = 10_000


@dataclass
class ServiceRuntime:
    name: str
    settings: ServiceSettings
    tracer_provider: TracerProvider
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    relay: OutboxRelay
    dispatcher: EventDispatcher
    migrations_dir: Path
    consumes: list[str] = field(default_factory=list)
    produces: list[str] = field(default_factory=list)
    background_jobs: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    background: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def producer(self) -> Producer:
        return Producer(service=self.name, deployment=self.settings.deployment)

    def snapshot(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session for reads made of several queries that must agree with each other."""
        return snapshot(self.sessions)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(
            self.sessions,
            topic_prefix=self.settings.topic_prefix,
            on_commit_with_events=self.relay.wake,
        )

    def all_topics(self) -> list[str]:
        names = {*self.consumes, *self.produces}
        topics = {self.settings.topic(name) for name in names}
        if self.consumes:
            topics.add(self.settings.topic(dead_letter(self.name)))
        return sorted(topics)

    async def start(self) -> None:
        url = self.settings.resolved_database_url()
        await asyncio.to_thread(upgrade_to_head, self.migrations_dir, url)
        await ensure_topics(self.settings.kafka_bootstrap_servers, self.all_topics())
        await self.broker.start()
        await self.relay.start()
        self.background = [asyncio.create_task(job()) for job in self.background_jobs]
        # What exists once started (modules, the app, region tables) lives as long as the
        # process: kept out of the collector's full passes, which would otherwise walk
        # all of it again and again while events are applied.
        gc.freeze()
        # Applying a batch makes tens of thousands of short-lived objects: collecting every
        # 700 of them spent about 5% of the ledger's CPU in the collector, every 10,000
        # under 1%, for the same few cycles.
        gc.set_threshold(YOUNG_OBJECTS_PER_COLLECTION)
        log.info("service started", database=self.engine.url.render_as_string())

    async def stop(self) -> None:
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        await self.relay.stop()
        await self.broker.stop()
        await self.engine.dispose()
        self.tracer_provider.force_flush()


def build_runtime(
    name: str,
    migrations_dir: Path,
    *,
    consumes: list[str] | None = None,
    settings: ServiceSettings | None = None,
    batched: bool = False,
    fetch_max_wait_ms: int | None = None,
) -> ServiceRuntime:
    """``batched``: the service registers a batch handler (``dispatcher.on_batch``) and
    consumes a poll's events at a time. ``fetch_max_wait_ms``: the service's own default
    for its consumer's fetch wait, which ``WUSHE_CONSUMER_FETCH_MAX_WAIT_MS`` overrides."""
    settings = settings or service_settings(name)
    setup_logging(name, settings.log_level)
    tracer_provider = setup_tracing(name, settings)
    engine = create_engine(settings.resolved_database_url())
    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=tracer_provider)
    sessions = session_factory(engine)
    consumes = consumes or []
    dispatcher = EventDispatcher(name)
    policy = DeadLetterPolicy(
        consumer=name,
        topic=settings.topic(dead_letter(name)),
        max_attempts=settings.consumer_max_attempts,
        backoff_seconds=settings.consumer_retry_backoff_seconds,
    )
    dead_letters = DeadLetterMiddleware(policy) if consumes else None
    broker = create_broker(settings, name, tracer_provider, dead_letters)
    produces = _document_publishers(broker, name, settings)
    fetch_wait_ms = settings.fetch_max_wait_ms(fetch_max_wait_ms)
    if consumes and batched:
        backlog = OutboxBacklog(sessions, settings.consumer_outbox_limit)
        _subscribe_batches(broker, dispatcher, policy, consumes, settings, fetch_wait_ms, backlog)
    elif consumes:
        _subscribe(broker, dispatcher, name, consumes, settings, fetch_wait_ms)
    relay = OutboxRelay(
        sessions,
        lambda: create_relay_producer(settings, name),
        batch_size=settings.outbox_batch_size,
        poll_seconds=settings.outbox_poll_seconds,
        retention=(
            timedelta(days=settings.outbox_retention_days)
            if settings.outbox_retention_days
            else None
        ),
        tracer_provider=tracer_provider,
    )
    return ServiceRuntime(
        name=name,
        settings=settings,
        tracer_provider=tracer_provider,
        engine=engine,
        sessions=sessions,
        broker=broker,
        relay=relay,
        dispatcher=dispatcher,
        migrations_dir=migrations_dir,
        consumes=consumes,
        produces=produces,
    )


def _subscribe(
    broker: KafkaBroker,
    dispatcher: EventDispatcher,
    name: str,
    consumes: list[str],
    settings: ServiceSettings,
    fetch_wait_ms: int,
) -> None:
    async def consume(event: EventEnvelope) -> None:
        await dispatcher.dispatch(event)

    broker.subscriber(
        *[settings.topic(topic) for topic in consumes],
        group_id=settings.topic(name),
        auto_offset_reset="earliest",
        # The embedded broker answers a fetch only when its wait runs out, even when
        # messages arrive sooner; a short wait keeps each hop's latency low.
        fetch_max_wait_ms=fetch_wait_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{name}-consumer",
        description=f"The {name} service's consumer group; commits after the effect commits.",
    )(consume)


def _subscribe_batches(
    broker: KafkaBroker,
    dispatcher: EventDispatcher,
    policy: DeadLetterPolicy,
    consumes: list[str],
    settings: ServiceSettings,
    fetch_wait_ms: int,
    backlog: OutboxBacklog,
) -> None:
    name = policy.consumer

    async def apply_one(item: ConsumedEvent) -> None:
        with item.handling(name):
            await dispatcher.dispatch(item.event)

    batches = BatchConsumer(
        policy,
        broker,
        dispatcher.dispatch_batch,
        apply_one,
        trace_statements=settings.consumer_trace_sql,
    )

    async def consume(records: list[Any]) -> None:
        await backlog.wait_for_room()
        await batches.consume(records)

    broker.subscriber(
        *[settings.topic(topic) for topic in consumes],
        group_id=settings.topic(name),
        auto_offset_reset="earliest",
        batch=True,
        decoder=_records_as_received,
        max_records=settings.consumer_batch_size,
        batch_timeout_ms=fetch_wait_ms,
        fetch_max_wait_ms=fetch_wait_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{name}-consumer",
        description=f"The {name} service's consumer group; applies a poll's events in one "
        "transaction and commits their offsets after it.",
    )(consume)


async def _records_as_received(message: StreamMessage[Any]) -> Any:
    """The poll's records as the broker delivered them, bodies undecoded: the batch
    consumer parses each envelope itself, so FastStream's JSON decoding of every body
    would be thrown away. Handed over as the handler's body, not asked for as the message
    from FastStream's context, whose lookup runs on a worker thread for every poll."""
    return list(message.raw_message)


def _document_publishers(broker: KafkaBroker, name: str, settings: ServiceSettings) -> list[str]:
    """Declare what this service publishes, so its AsyncAPI document shows each payload."""
    topics = []
    for spec in registry.specs():
        if spec.topic.split(".")[0] != name:
            continue
        typed = create_model(
            f"{spec.model.__name__}Event",
            __base__=EventEnvelope,
            __doc__=spec.model.__doc__,
            payload=(spec.model, ...),
        )
        broker.publisher(
            settings.topic(spec.topic),
            title=f"{spec.type}.v{spec.version}",
            description=spec.model.__doc__,
            schema=typed,
        )
        topics.append(spec.topic)
    return sorted(set(topics))
