"""Publishes outbox rows to Kafka in commit order and marks them sent; deletes the rows
sent longer ago than the retention, so the outbox does not grow with every event ever
published.

Each row is published under the trace context stored with it, so the trace that
wrote the row continues through the broker to its consumers. The sending itself is a
span per event type of the batch, linked to the traces of its rows. A crash after
publishing but before marking re-publishes the row: delivery is at least once, and
consumers dedupe. The relay sends through its own aiokafka producer, a batch per
partition at a time (``PartitionedSends``); the broker's publisher would add a span and
metrics per message on top of the relay's.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry.trace import TracerProvider
from opentelemetry.trace.status import Status, StatusCode
from sqlalchemy import CursorResult, Text, cast, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.shared.batch_sql import member_of
from wushe.shared.event_spans import record_publishing_span
from wushe.shared.messaging_tables import outbox
from wushe.shared.partitioned_sends import PartitionedSends
from wushe.shared.write_gate import write_gate, writing

log = structlog.get_logger(__name__)

_SENT = Status(StatusCode.UNSET)
# Rows deleted per statement when purging, so that no transaction holds the table long.
PURGE_BATCH = 5_000
# How often an idle relay looks for rows past their retention.
PURGE_INTERVAL_SECONDS = 600.0

# What publishing needs of a row. The trace context is read as its stored text: rows
# written by one trace share it, and it is parsed once for them.
_PUBLISHED_COLUMNS = (
    outbox.c.id, outbox.c.event_id, outbox.c.event_type, outbox.c.topic, outbox.c.key,
    outbox.c.body, cast(outbox.c.trace_headers, Text).label("trace_headers"),
)  # fmt: skip


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        connect: Callable[[], AIOKafkaProducer],
        *,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        retention: timedelta | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        """``retention``: how long sent rows are kept (for inspection); None: for ever.
        ``tracer_provider``: where the sending's spans go; the global one unless given."""
        self._sessions = sessions
        self._tracer_provider = tracer_provider
        self._connect = connect
        self._producer: AIOKafkaProducer | None = None
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._retention = retention
        self._next_purge = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def open(self) -> None:
        """Connect the producer; `start` also runs the loop that publishes as rows come."""
        if self._producer is None:
            producer = self._connect()
            await producer.start()
            self._producer = producer

    async def start(self) -> None:
        await self.open()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def _run(self) -> None:
        while True:
            try:
                published = await self.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying", retry_in_seconds=self._poll_seconds)
                published = 0
            if published >= self._batch_size:
                continue
            if self._retention is not None and time.monotonic() >= self._next_purge:
                await self._purge_a_batch(self._retention)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()

    async def _purge_a_batch(self, retention: timedelta) -> None:
        """One batch between publishing rounds, so that a large backlog of old rows never
        holds up new events; the next batch at the next idle round while more remain."""
        try:
            deleted = await self.purge_published(datetime.now(UTC) - retention)
        except Exception:
            log.exception("outbox purge failed; retrying later")
            deleted = 0
        more = deleted >= PURGE_BATCH
        self._next_purge = time.monotonic() + (0.0 if more else PURGE_INTERVAL_SECONDS)

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were published."""
        # Closing the session rolls back whatever ends the block before the commit.
        async with self._sessions() as session:
            query = (
                select(*_PUBLISHED_COLUMNS)
                .where(outbox.c.published_at.is_(None))
                # Commit order, in the order of the index on (published_at, id): ordered
                # by id alone, PostgreSQL walks the primary key past every row already
                # published (a second per batch once a million are).
                .order_by(outbox.c.published_at, outbox.c.id)
                .limit(self._batch_size)
            )
            if session.bind.dialect.name == "postgresql":
                await _take_relay_turn(session)
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            if self._producer is None:
                raise RuntimeError("the relay's producer is not connected: call open()")
            started = time.time_ns()
            carriers = _stored_carriers(rows)
            try:
                sends = PartitionedSends(self._producer)
                for row, headers in _with_headers(rows, carriers):
                    await sends.append(row.topic, row.key.encode(), row.body.encode(), headers)
                await sends.delivered()
            except Exception as error:
                failed = Status(StatusCode.ERROR, repr(error))
                _record_spans(rows, carriers, started, failed, self._tracer_provider)
                raise
            _record_spans(rows, carriers, started, _SENT, self._tracer_provider)
            # The turn to write is taken only to mark the rows sent: sending writes nothing.
            async with write_gate(session):
                await session.execute(
                    update(outbox)
                    .where(member_of(session, outbox.c.id, [row.id for row in rows]))
                    .values(published_at=datetime.now(UTC))
                )
                await session.commit()
        log.debug("outbox published", count=len(rows))
        return len(rows)

    async def purge_published(self, sent_before: datetime) -> int:
        """Delete up to ``PURGE_BATCH`` of the rows sent before ``sent_before``, oldest
        first, in one statement; returns how many. Unsent rows are never deleted."""
        oldest = (
            select(outbox.c.id)
            .where(outbox.c.published_at < sent_before)
            .order_by(outbox.c.published_at, outbox.c.id)
            .limit(PURGE_BATCH)
        )
        async with writing(self._sessions) as session:
            result = await session.execute(delete(outbox).where(outbox.c.id.in_(oldest)))
            assert isinstance(result, CursorResult)
            deleted = result.rowcount
        if deleted:
            log.info("outbox rows past their retention deleted", count=deleted)
        return deleted


def _stored(row: Any) -> str:
    return row.trace_headers or "{}"


def _stored_carriers(rows: Sequence[Any]) -> dict[str, dict[str, str]]:
    """The trace context stored with the rows, by its stored text: rows written by one
    trace (a bulk import's batch) share the text, which is parsed once."""
    carriers: dict[str, dict[str, str]] = {}
    for row in rows:
        stored = _stored(row)
        if stored not in carriers:
            carriers[stored] = orjson.loads(stored) or {}
    return carriers


def _with_headers(
    rows: Sequence[Any], carriers: dict[str, dict[str, str]]
) -> Iterator[tuple[Any, list[tuple[str, bytes]]]]:
    """Each row with its Kafka headers: the trace context stored with it, so the consumer's
    span is a child of the span that wrote the row."""
    encoded: dict[str, list[tuple[str, bytes]]] = {}
    for row in rows:
        stored = _stored(row)
        trace_headers = encoded.get(stored)
        if trace_headers is None:
            trace_headers = [
                (name, str(value).encode()) for name, value in carriers[stored].items()
            ]
            encoded[stored] = trace_headers
        yield (
            row,
            [
                ("content-type", b"application/json"),
                ("event-type", row.event_type.encode()),
                ("event-id", row.event_id.encode()),
                *trace_headers,
            ],
        )


def _record_spans(
    rows: Sequence[Any],
    carriers: dict[str, dict[str, str]],
    started: int,
    status: Status,
    provider: TracerProvider | None,
) -> None:
    """A span for each event type the batch sent, linked to the traces that wrote its
    rows. A span per row, in its row's trace, cost the relay more than the sending."""
    by_type: dict[str, list[Any]] = {}
    for row in rows:
        by_type.setdefault(row.event_type, []).append(row)
    for event_type, of_type in by_type.items():
        record_publishing_span(
            f"outbox relay {event_type}",
            [carriers[stored] for stored in {_stored(row) for row in of_type}],
            {"messaging.destination": of_type[0].topic,
             "messaging.batch.message_count": len(of_type)},
            __name__,
            started,
            status,
            provider,
        )  # fmt: skip


RELAY_LOCK_KEY = 0x77757368_6F757462  # "wushoutb": one relay of a service's replicas at a time


async def _take_relay_turn(session: AsyncSession) -> None:
    """Wait until no other replica's relay is publishing, so events keep their commit order.

    Two relays publishing different batches concurrently could let a later event about
    a person reach the topic before an earlier one. The transaction-scoped advisory lock
    is released at commit. Waiting for it, rather than giving up and sleeping, makes the
    replicas' relays take turns batch by batch: PostgreSQL grants the lock in the order
    asked, so each replica spends its share of the publishing's CPU instead of the first
    to publish keeping the lock for every replica's events.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY})


async def unpublished_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())
