"""What people do to an alert: a partner acknowledges it, an operator redelivers it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.adapters.orm import AlertRecord
from wushe.notify.adapters.timestamps import as_utc
from wushe.notify.domain.delivery import AlertStatus
from wushe.notify.service_layer.alert_events import AlertEvents


class AlertNotFound(LookupError):
    pass


class AlertBeingDelivered(RuntimeError):
    """A redelivery asked for while the alert is still pending would only reset its retries."""


@dataclass(frozen=True)
class Acknowledgement:
    acknowledged_at: datetime
    acknowledged_by: str
    first: bool  # False: the alert had been acknowledged before; that first one stands


async def acknowledge(
    session: AsyncSession,
    alert_id: str,
    by: str,
    now: datetime,
    events: AlertEvents | None = None,
) -> Acknowledgement:
    """``events``: where the first acknowledgement of an alert about a person is announced."""
    alert = await _locked(session, alert_id)
    if alert.acknowledged_at is not None and alert.acknowledged_by is not None:
        return Acknowledgement(as_utc(alert.acknowledged_at), alert.acknowledged_by, first=False)
    alert.acknowledged_at = now
    alert.acknowledged_by = by
    if events is not None:
        await events.acknowledged(session, alert, by, now)
    return Acknowledgement(now, by, first=True)


async def redeliver(session: AsyncSession, alert_id: str, now: datetime) -> AlertRecord:
    """Deliver a dead or delivered alert again, with a fresh retry budget and the same
    ``webhook-id`` (a receiver that kept it drops the repeat)."""
    alert = await _locked(session, alert_id)
    if alert.status == AlertStatus.PENDING:
        raise AlertBeingDelivered(f"alert {alert_id} is still being delivered")
    alert.status = AlertStatus.PENDING.value
    alert.attempts_before_redelivery = alert.attempts
    alert.delivered_channels = []  # asked for again: on every channel
    alert.next_attempt_at = now
    return alert


async def _locked(session: AsyncSession, alert_id: str) -> AlertRecord:
    alert = await session.get(AlertRecord, alert_id, with_for_update=True)
    if alert is None:
        raise AlertNotFound(alert_id)
    return alert
