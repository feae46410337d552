"""Notify's event handlers: projections of what routing needs, and routing itself.

A poll's events are applied together (``apply_consumed_batch``); the handlers per event
type apply them one at a time when a batch fails, each in its own transaction.
"""

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.domain.rules import BUILT_IN
from wushe.notify.service_layer.consumed_batch import Step, apply_consumed_batch
from wushe.notify.service_layer.delivery import DeliveryWorker
from wushe.notify.service_layer.donor_thanks import THANKS_CONSUMER, DonorThanks
from wushe.notify.service_layer.projections import (
    OFFER_CONSUMER,
    apply_consent,
    apply_fund_managers,
    apply_merge,
    apply_offer,
    record_consent,
    record_fund_managers,
    record_merge,
    record_offer,
)
from wushe.notify.service_layer.routing import CONSUMER, Router
from wushe.notify.service_layer.routing_snapshot import RoutingSnapshot
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.events import EventEnvelope, topics
from wushe.shared.events.catalog import registry
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.unit_of_work import UnitOfWork

# Stations' needs and organisations' offers (点单/接单): partners subscribe to the steps.
NEEDS_AND_OFFERS = tuple(
    spec.type for spec in registry.specs() if spec.topic == topics.CHARITY_NEED
)
OFFERS = ("offer.posted", "offer.withdrawn")
CONSENTS = ("consent.granted", "consent.revoked")
# A merged person's consents count for the survivor until the merge is undone.
MERGES = ("person.merged", "person.unmerged")
# Besides its alert to the fund's managers, a donation may owe its donor a thank-you.
DONATION = "donation.received"
# Events a built-in rule acts on, and those partners have long subscribed to.
ROUTED = tuple(
    sorted(
        {
            "ledger.file_opened",
            "visit.escalated",
            *NEEDS_AND_OFFERS,
            *(event_type for rule in BUILT_IN.values() for event_type in rule.event_types),
        }
    )
)


def _projection(
    apply: Callable[[AsyncSession, EventEnvelope], Awaitable[None]],
) -> Callable[[AsyncSession, EventEnvelope, RoutingSnapshot], Awaitable[None]]:
    async def step(session: AsyncSession, event: EventEnvelope, _: RoutingSnapshot) -> None:
        await apply(session, event)

    return step


def batch_steps(router: Router) -> dict[str, tuple[Step, ...]]:
    """What each event type does within a batch: the same steps as its handler below."""
    route = Step(CONSUMER, router.route_claimed)
    steps: dict[str, tuple[Step, ...]] = {}
    for event_type in ROUTED:
        steps[event_type] = (
            (Step(OFFER_CONSUMER, _projection(apply_offer)), route)
            if event_type in OFFERS
            else (route,)
        )
    thanks = DonorThanks(router.cipher, router.clock)
    steps[DONATION] = (*steps[DONATION], Step(THANKS_CONSUMER, thanks.owe_in_batch))
    steps["fund.opened"] = (Step(CONSUMER, _projection(apply_fund_managers)),)
    for event_type in CONSENTS:
        steps[event_type] = (Step(CONSUMER, _projection(apply_consent)),)
    for event_type in MERGES:
        steps[event_type] = (Step(CONSUMER, _projection(apply_merge)),)
    return steps


def register_handlers(
    runtime: ServiceRuntime,
    router: Router,
    wake_delivery: Callable[[], None],
    fresh_alerts: DeliveryWorker | None = None,
) -> None:
    def handler(
        *steps: Callable[[UnitOfWork, EventEnvelope], Awaitable[object]],
    ) -> Callable[[EventEnvelope], Awaitable[None]]:
        async def handle(event: EventEnvelope) -> None:
            for step in steps:
                await step(runtime.unit_of_work(), event)
            wake_delivery()

        return handle

    thanks = DonorThanks(router.cipher, router.clock)
    for event_type in ROUTED:
        if event_type in OFFERS:
            runtime.dispatcher.on(event_type)(handler(record_offer, router.route))
        elif event_type == DONATION:
            runtime.dispatcher.on(event_type)(handler(router.route, thanks.record))
        else:
            runtime.dispatcher.on(event_type)(handler(router.route))
    runtime.dispatcher.on("fund.opened")(handler(record_fund_managers))
    for event_type in CONSENTS:
        runtime.dispatcher.on(event_type)(handler(record_consent))
    for event_type in MERGES:
        runtime.dispatcher.on(event_type)(handler(record_merge))

    steps = batch_steps(router)

    async def on_batch(batch: list[ConsumedEvent]) -> None:
        await apply_consumed_batch(
            runtime.unit_of_work(), batch, steps, fresh_alerts, router.settings
        )
        # Once for the whole batch: a round leases every alert then due, up to its size.
        wake_delivery()

    runtime.dispatcher.on_batch(on_batch)
