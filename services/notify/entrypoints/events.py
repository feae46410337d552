"""Notify's event handlers: projections of what routing needs, and routing itself."""

from collections.abc import Awaitable, Callable

from wushe.notify.domain.rules import BUILT_IN
from wushe.notify.service_layer.projections import (
    record_consent,
    record_fund_managers,
    record_offer,
)
from wushe.notify.service_layer.routing import Router
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


def register_handlers(
    runtime: ServiceRuntime, router: Router, wake_delivery: Callable[[], None]
) -> None:
    def handler(
        *steps: Callable[[UnitOfWork, EventEnvelope], Awaitable[object]],
    ) -> Callable[[EventEnvelope], Awaitable[None]]:
        async def handle(event: EventEnvelope) -> None:
            for step in steps:
                await step(runtime.unit_of_work(), event)
            wake_delivery()

        return handle

    for event_type in ROUTED:
        if event_type in OFFERS:
            runtime.dispatcher.on(event_type)(handler(record_offer, router.route))
        else:
            runtime.dispatcher.on(event_type)(handler(router.route))
    runtime.dispatcher.on("fund.opened")(handler(record_fund_managers))
    for event_type in CONSENTS:
        runtime.dispatcher.on(event_type)(handler(record_consent))
