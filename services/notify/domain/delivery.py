"""What a channel is given to deliver, where it goes, and what came of it."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from wushe.shared.events.notify import AlertChannel

# The channels notify's own events name (``alert.raised``): one list for both.
Channel = AlertChannel


class AlertStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"  # the last attempt failed: a dead letter, kept for redelivery


@dataclass(frozen=True)
class OutgoingAlert:
    """``alert_id`` is the idempotency key: the same on every retry and redelivery."""

    alert_id: str
    event_type: str
    body: dict[str, Any]
    trace_headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Destination:
    channel: Channel
    address: str  # a webhook URL, an email address or a phone number
    signing_secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    latency_ms: float
    error: str | None = None
    status_code: int | None = None
