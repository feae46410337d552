"""The public event contract: one envelope, typed payloads, a registry of event types."""

from wushe.shared.events.envelope import EventEnvelope, Producer, new_event
from wushe.shared.events.registry import EventRegistry, UnknownEventType, registry

__all__ = [
    "EventEnvelope",
    "EventRegistry",
    "Producer",
    "UnknownEventType",
    "new_event",
    "registry",
]
