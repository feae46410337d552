"""Ledger's event handlers: thin adapters from consumed events to service functions."""

from wushe.ledger.service_layer.files import open_file
from wushe.shared.events import EventEnvelope
from wushe.shared.runtime import ServiceRuntime


def register_handlers(runtime: ServiceRuntime) -> None:
    @runtime.dispatcher.on("person.registered")
    async def on_person_registered(event: EventEnvelope) -> None:
        await open_file(runtime.unit_of_work(), event, runtime.producer)
