"""What the alert API shows: alerts, their delivery attempts, acknowledgements."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from wushe.notify.adapters.orm import AlertRecord, DeliveryAttemptRecord
from wushe.notify.adapters.timestamps import as_utc


class AlertView(BaseModel):
    alert_id: UUID
    partner_id: UUID
    event_id: UUID
    event_type: str
    rule: str | None
    subject: str
    region_code: str
    status: str
    attempts: int
    delivered_channels: list[str]
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    created_at: datetime


class AttemptView(BaseModel):
    attempted_at: datetime
    channel: str
    outcome: str
    status_code: int | None
    latency_ms: float
    error: str | None


class AcknowledgementView(BaseModel):
    alert_id: UUID
    acknowledged_at: datetime
    acknowledged_by: str


def alert_view(record: AlertRecord) -> AlertView:
    return AlertView(
        alert_id=UUID(record.id),
        partner_id=UUID(record.partner_id),
        event_id=UUID(record.event_id),
        event_type=record.event_type,
        rule=record.rule,
        subject=record.subject,
        region_code=record.region_code,
        status=record.status,
        attempts=record.attempts,
        delivered_channels=record.delivered_channels or [],
        last_error=record.last_error,
        next_attempt_at=as_utc(record.next_attempt_at) if record.status == "pending" else None,
        delivered_at=as_utc(record.delivered_at),
        acknowledged_at=as_utc(record.acknowledged_at),
        acknowledged_by=record.acknowledged_by,
        created_at=as_utc(record.created_at),
    )


def attempt_view(record: DeliveryAttemptRecord) -> AttemptView:
    return AttemptView(
        attempted_at=as_utc(record.attempted_at),
        channel=record.channel,
        outcome=record.outcome,
        status_code=record.status_code,
        latency_ms=record.latency_ms,
        error=record.error,
    )
