"""Turning consumed events into alerts for the partners who should receive them."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from uuid6 import uuid7

from wushe.notify.adapters.orm import (
    AlertRecord,
    FundManagerRecord,
    PartnerRecord,
    SubscriptionRecord,
)
from wushe.shared.events import EventEnvelope
from wushe.shared.events.charity import FundOpened
from wushe.shared.outbox import trace_headers
from wushe.shared.regions import covers
from wushe.shared.unit_of_work import UnitOfWork

CONSUMER = "notify"


async def alert_subscribers(uow: UnitOfWork, event: EventEnvelope) -> int:
    """Alert every partner subscribed to this event type in a region covering the event."""
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return 0
        partner_ids = await _subscribed_partners(uow, event)
        created = await _create_alerts(uow, event, partner_ids, reason="subscription")
        await uow.commit()
    return created


async def record_fund_managers(uow: UnitOfWork, event: EventEnvelope) -> None:
    opened = FundOpened.model_validate(event.payload)
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return
        for partner_id in opened.manager_partner_ids:
            await uow.session.merge(
                FundManagerRecord(
                    fund_id=str(opened.fund_id),
                    partner_id=str(partner_id),
                    fund_name=opened.fund_name,
                )
            )
        await uow.commit()


async def alert_fund_managers(uow: UnitOfWork, event: EventEnvelope) -> int:
    """An event about a fund (a donation, a balance below its threshold) alerts the fund's
    managers, and anyone subscribed to that event type there."""
    fund_id = event.payload["fund_id"]
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return 0
        managers = set(
            await uow.session.scalars(
                select(FundManagerRecord.partner_id).where(
                    FundManagerRecord.fund_id == str(fund_id)
                )
            )
        )
        subscribers = set(await _subscribed_partners(uow, event)) - managers
        created = await _create_alerts(uow, event, sorted(managers), reason="fund_manager")
        created += await _create_alerts(uow, event, sorted(subscribers), reason="subscription")
        await uow.commit()
    return created


async def _subscribed_partners(uow: UnitOfWork, event: EventEnvelope) -> list[str]:
    rows = await uow.session.execute(
        select(SubscriptionRecord.partner_id, SubscriptionRecord.region_code).where(
            SubscriptionRecord.event_type == event.type
        )
    )
    return sorted({partner for partner, region in rows if covers(region, event.region_code)})


async def _create_alerts(
    uow: UnitOfWork, event: EventEnvelope, partner_ids: list[str], *, reason: str
) -> int:
    now = datetime.now(UTC)
    for partner_id in partner_ids:
        if await uow.session.get(PartnerRecord, partner_id) is None:
            continue
        alert_id = str(uuid7())
        uow.session.add(
            AlertRecord(
                id=alert_id,
                idempotency_key=f"{event.id}:{partner_id}",
                partner_id=partner_id,
                event_id=str(event.id),
                event_type=event.type,
                subject=event.subject,
                region_code=event.region_code,
                body=alert_body(alert_id, event, reason),
                trace_headers=trace_headers(),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(partner_ids)


def alert_body(alert_id: str, event: EventEnvelope, reason: str) -> dict[str, Any]:
    """The webhook payload: Standard Webhooks' type / timestamp / data shape."""
    return {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat(),
        "data": {
            "alert_id": alert_id,
            "event_id": str(event.id),
            "reason": reason,
            "subject": event.subject,
            "region_code": event.region_code,
            "correlation_id": str(event.correlation_id),
            **event.payload,
        },
    }
