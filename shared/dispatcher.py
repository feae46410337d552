"""Routes consumed events to one handler per event type; unknown types are skipped."""

from collections.abc import Awaitable, Callable

import structlog

from wushe.shared.events import EventEnvelope

log = structlog.get_logger(__name__)

EventHandler = Callable[[EventEnvelope], Awaitable[None]]


class EventDispatcher:
    def __init__(self, consumer: str) -> None:
        self.consumer = consumer
        self._handlers: dict[str, EventHandler] = {}

    def on(self, event_type: str) -> Callable[[EventHandler], EventHandler]:
        def register(handler: EventHandler) -> EventHandler:
            self._handlers[event_type] = handler
            return handler

        return register

    @property
    def event_types(self) -> list[str]:
        return sorted(self._handlers)

    async def dispatch(self, event: EventEnvelope) -> None:
        handler = self._handlers.get(event.type)
        if handler is None:
            # Newer producers may add event types; a consumer ignores what it does not know.
            log.debug("event type not handled here", event_type=event.type, event_id=str(event.id))
            return
        structlog.contextvars.bind_contextvars(
            event_id=str(event.id), event_type=event.type, correlation_id=str(event.correlation_id)
        )
        try:
            await handler(event)
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "event_type", "correlation_id")
