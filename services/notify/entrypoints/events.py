"""Notify's event handlers."""

from collections.abc import Awaitable, Callable

from wushe.notify.service_layer.routing import (
    alert_fund_managers,
    alert_subscribers,
    record_fund_managers,
)
from wushe.shared.events import EventEnvelope, topics
from wushe.shared.events.catalog import registry
from wushe.shared.runtime import ServiceRuntime

# Stations' needs and organisations' offers (点单/接单): partners subscribe to the steps.
NEEDS_AND_OFFERS = tuple(
    spec.type for spec in registry.specs() if spec.topic == topics.CHARITY_NEED
)


def register_handlers(runtime: ServiceRuntime, wake_delivery: Callable[[], None]) -> None:
    def handler(
        apply: Callable[..., Awaitable[object]],
    ) -> Callable[[EventEnvelope], Awaitable[None]]:
        async def handle(event: EventEnvelope) -> None:
            await apply(runtime.unit_of_work(), event)
            wake_delivery()

        return handle

    for event_type in ("ledger.file_opened", *NEEDS_AND_OFFERS):
        runtime.dispatcher.on(event_type)(handler(alert_subscribers))
    runtime.dispatcher.on("fund.opened")(handler(record_fund_managers))
    for event_type in ("donation.received", "fund.balance_low"):
        runtime.dispatcher.on(event_type)(handler(alert_fund_managers))
