"""One unit of work per command: state change, outbox rows and inbox row commit together.

On SQLite a unit of work holds its process's turn to write (``write_gate``) from start
to end: units of work are how the services change their state.
"""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.shared.events import EventEnvelope
from wushe.shared.inbox import claim_event
from wushe.shared.outbox import add_to_outbox
from wushe.shared.write_gate import write_gate


class UnitOfWork:
    """Rolls back unless ``commit`` is called; wakes the outbox relay after a commit."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        topic_prefix: str = "",
        on_commit_with_events: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._topic_prefix = topic_prefix
        self._waker = on_commit_with_events
        self._emitted = 0
        self.session: AsyncSession
        self._turn: AbstractAsyncContextManager[object]

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._emitted = 0
        self._turn = write_gate(self.session)
        await self._turn.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back what was not committed and detaches loaded objects
        # without expiring them, so read results stay usable after the block.
        try:
            await self.session.close()
        finally:
            await self._turn.__aexit__(exc_type, exc, tb)

    async def emit(self, event: EventEnvelope) -> None:
        await add_to_outbox(self.session, event, self._topic_prefix)
        self._emitted += 1

    def count_emitted(self, count: int) -> None:
        """For outbox rows written directly, so that the relay is woken after the commit."""
        self._emitted += count

    async def claim(self, consumer: str, event: EventEnvelope) -> bool:
        return await claim_event(self.session, consumer, event)

    async def commit(self) -> None:
        await self.session.commit()
        if self._emitted and self._waker is not None:
            self._waker()
        self._emitted = 0
