"""Publishes outbox rows to Kafka in commit order and marks them sent.

Each row is published under the trace context stored with it, so the trace that
wrote the row continues through the broker. A crash after publishing but before
marking re-publishes the row: delivery is at least once, and consumers dedupe.
"""

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import structlog
from faststream.kafka import KafkaBroker
from opentelemetry import propagate, trace
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.shared.messaging_tables import outbox

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        broker: KafkaBroker,
        *,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self._broker = broker
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

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
                select(outbox)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self._batch_size)
            )
            if session.bind.dialect.name == "postgresql" and not await _lead_relay(session):
                return 0
            rows = (await session.execute(query)).all()
            if not rows:
                return 0
            confirmations = [await self._publish(row) for row in rows]
            await asyncio.gather(*confirmations)
            await session.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(published_at=datetime.now(UTC))
            )
        log.debug("outbox published", count=len(rows))
        return len(rows)

    async def _publish(self, row: Any) -> Any:
        parent = propagate.extract(row.trace_headers or {})
        with tracer.start_as_current_span(
            f"outbox relay {row.event_type}",
            context=parent,
            attributes={"wushe.event_id": row.event_id, "messaging.destination": row.topic},
        ):
            return await self._broker.publish(
                row.body.encode(),
                topic=row.topic,
                key=row.key.encode(),
                headers={
                    "content-type": "application/json",
                    "event-type": row.event_type,
                    "event-id": row.event_id,
                },
                no_confirm=True,
            )


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
