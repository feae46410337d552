"""Holding a batched consumer back while its service's outbox is far behind.

A consumer that emits events (the ledger's `ledger.file_opened` for every registration)
shares its process's event loop with the relay that publishes them, and with replicas one
relay publishes what all of them write. Applying a backlog, consumers can outrun it, and
what they emit then reaches its own consumers minutes late. Before applying each poll, a
consumer waits while the outbox holds ``limit`` unpublished rows or more, written by any
replica, so that the relay keeps pace and what the consumer emits follows within a few
polls.
"""

import asyncio
import time

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.shared.messaging_tables import outbox

log = structlog.get_logger(__name__)

PAUSE_SECONDS = 0.02
# Waiting this long means the relay is not publishing at all (the broker refuses it, say).
STALLED_SECONDS = 30.0


class OutboxBacklog:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], limit: int) -> None:
        """``limit``: unpublished rows at which a consumer waits; 0 never waits."""
        self._sessions = sessions
        self._limit = limit
        # Counting at most ``limit`` rows keeps the check a short index range.
        unpublished = select(outbox.c.id).where(outbox.c.published_at.is_(None))
        self._count = select(func.count()).select_from(unpublished.limit(limit).subquery())

    async def full(self) -> bool:
        async with self._sessions() as session:
            return int(await session.scalar(self._count) or 0) >= self._limit

    async def wait_for_room(self) -> None:
        if not self._limit:
            return
        started: float | None = None
        warned = 0.0
        while await self.full():
            now = time.monotonic()
            if started is None:
                started = warned = now
                log.debug("outbox backlog at its limit; waiting for the relay", limit=self._limit)
            elif now - warned >= STALLED_SECONDS:
                warned = now
                log.warning(
                    "the outbox has not fallen below its limit: is the relay publishing? "
                    "(its errors are logged as 'outbox relay failed')",
                    limit=self._limit,
                    waited_seconds=round(now - started),
                )
            await asyncio.sleep(PAUSE_SECONDS)
