"""Ledger's event handlers: every event type a projector knows is applied as it arrives."""

from wushe.ledger.service_layer.commands import apply_consumed, apply_consumed_batch
from wushe.ledger.service_layer.projectors import projection
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.events import EventEnvelope
from wushe.shared.runtime import ServiceRuntime


def register_handlers(runtime: ServiceRuntime) -> None:
    async def on_event(event: EventEnvelope) -> None:
        await apply_consumed(runtime.unit_of_work(), event, runtime.producer)

    async def on_batch(batch: list[ConsumedEvent]) -> None:
        await apply_consumed_batch(
            runtime.unit_of_work(), batch, runtime.producer, runtime.settings.topic_prefix
        )

    for event_type in projection.event_types:
        runtime.dispatcher.on(event_type)(on_event)
    runtime.dispatcher.on_batch(on_batch)
