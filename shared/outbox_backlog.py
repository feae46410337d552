"""Holding a batched consumer back while its service's outbox is far behind.

A consumer that emits events (the ledger's `ledger.file_opened` for every registration)
shares its process's event loop with the relay that publishes them, and with replicas one
relay publishes what all of them write. Applying a backlog, consumers can outrun it: the
ledger with three consumers in one process left half a million of its events unpublished
after applying a million, and they reached notify a minute late. Before each poll, a
consumer waits while the outbox holds ``limit`` unpublished rows or more, written by any
replica, so that the relay keeps pace and what the consumer emits follows within a few
polls.
"""

import asyncio

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
        if not self._limit or not await self.full():
            return
        log.debug("outbox backlog at its limit; waiting for the relay", limit=self._limit)
        waited = 0.0
        while await self.full():
            await asyncio.sleep(PAUSE_SECONDS)
            waited += PAUSE_SECONDS
            if waited >= STALLED_SECONDS:
                log.warning(
                    "the outbox has not fallen below its limit: is the relay publishing? "
                    "(its errors are logged as 'outbox relay failed')",
                    limit=self._limit,
                    waited_seconds=round(waited),
                )
                waited = 0.0
