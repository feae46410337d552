"""Publishes outbox rows to Kafka in commit order and marks them sent.

Each row is published under the trace context stored with it, so the trace that
wrote the row continues through the broker: consecutive rows written by the same
trace (a bulk import's batch) share one relay span. A crash after publishing but
before marking re-publishes the row: delivery is at least once, and consumers dedupe.
The relay sends through its own aiokafka producer, a batch per partition at a time
(``PartitionedSends``); the broker's publisher would add a span and metrics per message
on top of the relay's.
"""

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry.util.types import AttributeValue
from sqlalchemy import Text, cast, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.shared.batch_sql import member_of
from wushe.shared.event_spans import relayed_headers
from wushe.shared.messaging_tables import outbox
from wushe.shared.partitioned_sends import PartitionedSends

log = structlog.get_logger(__name__)

# What publishing needs of a row. The trace context is read as its stored text: rows are
# grouped by it, and only the first row of each run has it parsed.
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
    ) -> None:
        self._sessions = sessions
        self._connect = connect
        self._producer: AIOKafkaProducer | None = None
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
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
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were published."""
        async with self._sessions() as session, session.begin():
            query = (
                select(*_PUBLISHED_COLUMNS)
                .where(outbox.c.published_at.is_(None))
                # Commit order, in the order of the index on (published_at, id): ordered
                # by id alone, PostgreSQL walks the primary key past every row already
                # published (a second per batch once a million are).
                .order_by(outbox.c.published_at, outbox.c.id)
                .limit(self._batch_size)
            )
            if session.bind.dialect.name == "postgresql" and not await _lead_relay(session):
                return 0
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            if self._producer is None:
                raise RuntimeError("the relay's producer is not connected: call open()")
            sends = PartitionedSends(self._producer)
            for run in _runs_of_one_trace(rows):
                for row, headers in self._traced(run):
                    await sends.append(row.topic, row.key.encode(), row.body.encode(), headers)
            await sends.delivered()
            await session.execute(
                update(outbox)
                .where(member_of(session, outbox.c.id, [row.id for row in rows]))
                .values(published_at=datetime.now(UTC))
            )
        log.debug("outbox published", count=len(rows))
        return len(rows)

    def _traced(self, run: Sequence[Any]) -> Iterator[tuple[Any, list[tuple[str, bytes]]]]:
        """The run's rows with their Kafka headers, under one relay span continuing the
        trace that wrote them."""
        first = run[0]
        attributes: dict[str, AttributeValue] = {"messaging.destination": first.topic}
        if len(run) == 1:
            attributes["wushe.event_id"] = first.event_id
        else:
            attributes["messaging.batch.message_count"] = len(run)
        carrier = relayed_headers(
            f"outbox relay {first.event_type}",
            json.loads(first.trace_headers or "{}") or {},
            attributes,
            __name__,
        )
        trace_headers = [(name, value.encode()) for name, value in carrier.items()]
        for row in run:
            yield (
                row,
                [
                    ("content-type", b"application/json"),
                    ("event-type", row.event_type.encode()),
                    ("event-id", row.event_id.encode()),
                    *trace_headers,
                ],
            )


def _runs_of_one_trace(rows: Sequence[Any]) -> Iterator[list[Any]]:
    """Consecutive rows of the same event type written by the same trace; commit order is
    kept, since a key's events must reach the topic in the order they were written."""
    for _, run in groupby(rows, key=lambda row: (row.event_type, row.trace_headers)):
        yield list(run)


RELAY_LOCK_KEY = 0x77757368_6F757462  # "wushoutb": one relay of a service's replicas at a time


async def _lead_relay(session: AsyncSession) -> bool:
    """Let one replica's relay publish at a time, so events keep their commit order.

    Two relays publishing different batches concurrently could let a later event about
    a person reach the topic before an earlier one. The transaction-scoped advisory lock
    is released at commit; the other replicas' relays take over when this one stops.
    """
    acquired = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
    )
    return bool(acquired)


async def unpublished_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        return int((await session.execute(query)).scalar_one())
