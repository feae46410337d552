"""The ledger's state as a function of events.

Every change to the ledger's tables goes through a projector registered here for an
event type: events consumed from other services, and the ledger's own events, which a
command emits and applies in the same transaction. Replaying the topics through the
same projectors (``wushe ledger rebuild``) therefore rebuilds the same state.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.shared.events import EventEnvelope, Producer


async def _emit_nothing(_event: EventEnvelope) -> None:
    return None


@dataclass(frozen=True)
class Applying:
    """One event being applied, with what its projectors may use."""

    session: AsyncSession
    event: EventEnvelope
    trace_id: str | None
    producer: Producer
    # Events a projector publishes in reaction (a file opened); a rebuild passes a
    # no-op, because those events are already on the topics it replays.
    emit: Callable[[EventEnvelope], Awaitable[None]] = _emit_nothing


Projector = Callable[[Applying], Awaitable[None]]
# Work the projectors of a transaction's events left for its end, done once for all of
# them (a person's visit plan, however many of their events were applied).
Finisher = Callable[[AsyncSession], Awaitable[None]]
# Reads, before a transaction's events are applied, the rows their projectors will look
# for, all at once (the files of the persons they name), keeping them in the session's
# ``info`` until a finisher drops them.
Preparer = Callable[[AsyncSession, Sequence[EventEnvelope]], Awaitable[None]]


class Projection:
    def __init__(self) -> None:
        self._projectors: dict[str, list[Projector]] = defaultdict(list)
        self._finishers: list[Finisher] = []
        self._preparers: list[Preparer] = []

    def on(self, *event_types: str) -> Callable[[Projector], Projector]:
        def register(projector: Projector) -> Projector:
            for event_type in event_types:
                self._projectors[event_type].append(projector)
            return projector

        return register

    def on_finish(self, finisher: Finisher) -> Finisher:
        self._finishers.append(finisher)
        return finisher

    def on_prepare(self, preparer: Preparer) -> Preparer:
        self._preparers.append(preparer)
        return preparer

    @property
    def event_types(self) -> list[str]:
        return sorted(self._projectors)

    async def apply(self, applying: Applying) -> None:
        for projector in self._projectors.get(applying.event.type, []):
            await projector(applying)

    async def prepare(self, session: AsyncSession, events: Sequence[EventEnvelope]) -> None:
        """Before the events of a transaction are applied: what their projectors will
        read, in a query or two for all of them instead of one per event."""
        for preparer in self._preparers:
            await preparer(session, events)

    async def finish(self, session: AsyncSession) -> None:
        """Once the events of a transaction are applied, before it commits: what their
        projectors noted for the end. Whoever applies events calls it."""
        for finisher in self._finishers:
            await finisher(session)


projection = Projection()
