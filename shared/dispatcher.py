"""Routes consumed events to one handler per event type; unknown types are skipped."""

from collections.abc import Awaitable, Callable

import structlog

from wushe.shared.batch_consumer import BatchHandler, ConsumedEvent
from wushe.shared.events import EventEnvelope

log = structlog.get_logger(__name__)

EventHandler = Callable[[EventEnvelope], Awaitable[None]]


class EventDispatcher:
    def __init__(self, consumer: str) -> None:
        self.consumer = consumer
        self._handlers: dict[str, EventHandler] = {}
        self._batch_handler: BatchHandler | None = None

    def on(self, event_type: str) -> Callable[[EventHandler], EventHandler]:
        def register(handler: EventHandler) -> EventHandler:
            self._handlers[event_type] = handler
            return handler

        return register

    def on_batch(self, handler: BatchHandler) -> BatchHandler:
        """Applies a poll's events together; the per-type handlers remain the fallback
        for a batch that fails."""
        self._batch_handler = handler
        return handler

    async def dispatch_batch(self, batch: list[ConsumedEvent]) -> None:
        if self._batch_handler is None:
            raise RuntimeError(f"{self.consumer} consumes in batches but has no batch handler")
        await self._batch_handler([item for item in batch if item.event.type in self._handlers])

    @property
    def event_types(self) -> list[str]:
        return sorted(self._handlers)

    async def dispatch(self, event: EventEnvelope) -> None:
        handler = self._handlers.get(event.type)
        if handler is None:
            # Newer producers may add event types; a consumer ignores what it does not know.
            log.debug("event type not handled here", event_type=event.type, event_id=event.id_text)
            return
        structlog.contextvars.bind_contextvars(
            event_id=event.id_text, event_type=event.type, correlation_id=str(event.correlation_id)
        )
        try:
            await handler(event)
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "event_type", "correlation_id")
