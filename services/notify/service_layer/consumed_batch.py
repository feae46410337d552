"""Applying a poll's events in one transaction.

Each event's steps are those it would take alone, in the same order, each recorded under
its consumer name in one claim per name for the whole batch; an event repeated within
the batch or applied before takes no step twice. Notify's settings are read once for
the batch (``RoutingSnapshot``), or kept from earlier batches while they have not changed
(``RoutingSettings``). A later event sees what an earlier one in the batch did:
the session flushes before each query. A step that fails fails the whole batch, which
the batch consumer then applies event by event, so a poison event goes to the
dead-letter topic alone.

The alerts the batch makes that are due at once are leased in its transaction and
handed to the delivery worker when it commits.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.service_layer.delivery import DeliveryWorker
from wushe.notify.service_layer.routing_snapshot import RoutingSettings, RoutingSnapshot
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.events import EventEnvelope
from wushe.shared.inbox import claim_events
from wushe.shared.unit_of_work import UnitOfWork

CONSUMER = "notify"


@dataclass(frozen=True)
class Step:
    """One effect of an event, recorded as applied under ``consumer``."""

    consumer: str
    apply: Callable[[AsyncSession, EventEnvelope, RoutingSnapshot], Awaitable[object]]


async def apply_consumed_batch(
    uow: UnitOfWork,
    batch: Sequence[ConsumedEvent],
    steps: Mapping[str, Sequence[Step]],
    delivery: DeliveryWorker | None = None,
    settings: RoutingSettings | None = None,
) -> None:
    """``steps``: by event type; the batch holds only types it names. ``settings``: the
    snapshot kept between batches; without it, the batch reads its own."""
    started = datetime.now(UTC)
    async with uow:
        claimed = await _claim(uow.session, batch, steps)
        if not any(claimed.values()):
            return
        snapshot = await (settings or RoutingSettings()).snapshot(uow.session)
        for item in batch:
            event_id = item.event.id_text
            with item.handling(CONSUMER):
                for step in steps[item.event.type]:
                    if event_id in claimed[step.consumer]:
                        claimed[step.consumer].discard(event_id)
                        await step.apply(uow.session, item.event, snapshot)
        fresh = None
        if delivery is not None:
            fresh = await delivery.lease_fresh(
                uow.session, started, snapshot.partners, snapshot.profiles
            )
        await uow.commit()
    if delivery is not None and fresh is not None:
        delivery.hand_over(fresh)


async def _claim(
    session: AsyncSession, batch: Sequence[ConsumedEvent], steps: Mapping[str, Sequence[Step]]
) -> dict[str, set[str]]:
    """The ids of the batch's events not yet applied, by consumer name."""
    events: dict[str, list[EventEnvelope]] = {}
    for item in batch:
        for step in steps[item.event.type]:
            events.setdefault(step.consumer, []).append(item.event)
    return {
        consumer: await claim_events(session, consumer, of_consumer)
        for consumer, of_consumer in events.items()
    }
