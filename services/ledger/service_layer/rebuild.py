"""Rebuilding the ledger: its topics replayed through the projectors into a fresh database.

The topics are read from their earliest records to the end offsets taken when the
rebuild starts, with a plain consumer outside the ledger's group, so the running ledger
is not disturbed. Each event is applied as the live consumer applied it: through the
same projectors, under the trace of its ``traceparent`` header, and marked as
processed, so the live ledger can be switched to the rebuilt database without applying
anything twice, and a rebuild that stopped can be run again into the same database.
"""

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import structlog
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.cli.topic_reader import Record, topics_as_they_stand
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.service_layer.commands import CONSUMER
from wushe.ledger.service_layer.files import load_files
from wushe.ledger.service_layer.projection import Applying
from wushe.ledger.service_layer.projectors import projection
from wushe.shared.db import create_engine, session_factory
from wushe.shared.events import EventEnvelope, Producer, UnknownEventType, catalog
from wushe.shared.events import topics as event_topics
from wushe.shared.inbox import claim_events
from wushe.shared.migrations import upgrade_to_head
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

# The streams the ledger's state comes from, in replay order: intake's events first, so
# the ledger's own events find the files they are about.
REPLAYED_TOPICS = (
    event_topics.PERSON,
    event_topics.LEDGER_FILE,
    event_topics.CHARITY_FUND,
    event_topics.CHARITY_GOODS,
    event_topics.NOTIFY_ALERT,
)
BATCH_SIZE = 500

# Called after every batch with the records replayed so far and the records to replay.
Progress = Callable[[int, int], None]

# An unreachable database fails every event alike; that ends the rebuild instead.
_DATABASE_DOWN = (OperationalError, InterfaceError, OSError)


@dataclass
class RebuildSummary:
    total: int = 0
    applied: int = 0
    already_applied: int = 0  # repeated on the topic, or applied by an earlier run
    unreadable: int = 0  # not an event, or a payload its type's model refuses
    not_projected: int = 0  # types no projector applies, such as ledger.file_opened
    failed: list[str] = field(default_factory=list)  # ids of events a projector raised on
    seconds: float = 0.0

    @property
    def replayed(self) -> int:
        return (
            self.applied + self.already_applied + self.unreadable + self.not_projected
            + len(self.failed)
        )  # fmt: skip

    @property
    def events_per_second(self) -> float:
        return self.applied / self.seconds if self.seconds else 0.0


def trace_id_of(record: Record) -> str | None:
    """The trace of the request that caused the event, as the live consumer continued it."""
    carrier = {name: value.decode(errors="replace") for name, value in record.headers}
    context = TraceContextTextMapPropagator().extract(carrier)
    span = trace.get_current_span(context).get_span_context()
    return format(span.trace_id, "032x") if span.is_valid else None


@dataclass(frozen=True)
class _Replayable:
    event: EventEnvelope
    trace_id: str | None


class _Replay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        producer: Producer,
        summary: RebuildSummary,
        progress: Progress | None,
    ) -> None:
        self._sessions = sessions
        self._producer = producer
        self._summary = summary
        self._progress = progress
        self._projected = set(projection.event_types)
        # Payloads are checked against the models of every registered event type.
        self._registry = catalog.registry

    async def apply(self, records: Sequence[Record]) -> None:
        replayable = [found for record in records if (found := self._read(record))]
        try:
            self._count_applied(await self._apply_together(replayable), len(replayable))
        except _DATABASE_DOWN:
            raise
        except Exception:
            for one in replayable:
                await self._apply_alone(one)
        if self._progress is not None:
            self._progress(self._summary.replayed, self._summary.total)

    def _read(self, record: Record) -> _Replayable | None:
        try:
            event = EventEnvelope.model_validate_json(record.value or b"")
        except ValidationError:
            self._summary.unreadable += 1
            return None
        if event.type not in self._projected:
            self._summary.not_projected += 1
            return None
        try:
            self._registry.model_for(event.type, event.schema_version).model_validate(event.payload)
        except (ValidationError, UnknownEventType):
            self._summary.unreadable += 1
            return None
        return _Replayable(event, trace_id_of(record))

    async def _apply_together(self, replayable: Sequence[_Replayable]) -> int:
        applied = 0
        async with UnitOfWork(self._sessions) as uow:
            # Claimed in one statement, as the live consumer claims a poll's events.
            events = [one.event for one in replayable]
            claimed = await claim_events(uow.session, CONSUMER, events)
            await load_files(uow.session, [event for event in events if event.id_text in claimed])
            for one in replayable:
                event_id = one.event.id_text
                if event_id not in claimed:
                    continue
                claimed.discard(event_id)  # an event given twice is applied once
                await projection.apply(
                    Applying(uow.session, one.event, one.trace_id, self._producer)
                )
                applied += 1
            await projection.finish(uow.session)
            await uow.commit()
        return applied

    async def _apply_alone(self, one: _Replayable) -> None:
        try:
            self._count_applied(await self._apply_together([one]), 1)
        except _DATABASE_DOWN:
            raise
        except Exception as error:
            log.warning("event not applied", event_id=str(one.event.id),
                        event_type=one.event.type, error=repr(error))  # fmt: skip
            self._summary.failed.append(str(one.event.id))

    def _count_applied(self, applied: int, replayable: int) -> None:
        self._summary.applied += applied
        self._summary.already_applied += replayable - applied


async def rebuild(
    database_url: str,
    settings: Settings,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> RebuildSummary:
    """Replay the ledger's topics into the database at ``database_url``, migrated first;
    one transaction per ``batch_size`` events."""
    summary = RebuildSummary()
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, database_url)
    started = time.monotonic()
    engine = create_engine(database_url)
    producer = Producer(service=CONSUMER, deployment=settings.deployment)
    replay = _Replay(session_factory(engine), producer, summary, progress)
    names = [settings.topic(name) for name in REPLAYED_TOPICS]
    try:
        async with topics_as_they_stand(settings.kafka_bootstrap_servers, names) as standing:
            summary.total = standing.count()
            for name in names:
                pending: list[Record] = []
                async for records in standing.batches(name):
                    pending.extend(records)
                    while len(pending) >= batch_size:
                        await replay.apply(pending[:batch_size])
                        del pending[:batch_size]
                if pending:
                    await replay.apply(pending)
    finally:
        await engine.dispose()
    summary.seconds = time.monotonic() - started
    return summary
