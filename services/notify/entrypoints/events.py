"""Notify's event handlers."""

from collections.abc import Awaitable, Callable

from wushe.notify.service_layer.routing import (
    alert_fund_managers,
    alert_subscribers,
    record_fund_managers,
)
from wushe.shared.events import EventEnvelope
from wushe.shared.runtime import ServiceRuntime


def register_handlers(runtime: ServiceRuntime, wake_delivery: Callable[[], None]) -> None:
    def handler(
        apply: Callable[..., Awaitable[object]],
    ) -> Callable[[EventEnvelope], Awaitable[None]]:
        async def handle(event: EventEnvelope) -> None:
            await apply(runtime.unit_of_work(), event)
            wake_delivery()

        return handle

    runtime.dispatcher.on("ledger.file_opened")(handler(alert_subscribers))
    runtime.dispatcher.on("fund.opened")(handler(record_fund_managers))
    runtime.dispatcher.on("donation.received")(handler(alert_fund_managers))
