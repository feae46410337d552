"""Delivers pending alerts to partners' webhooks, retrying with backoff until delivered.

Alerts are leased before delivery, so a notify process that dies mid-delivery leaves
them to be picked up again when the lease runs out; the receiver may then see the same
`webhook-id` twice and drops the repeat.
"""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import httpx
import structlog
from opentelemetry import propagate, trace
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.notify.adapters.orm import AlertRecord, DeliveryAttemptRecord, PartnerRecord
from wushe.notify.adapters.webhook import DeliveryResult, post_webhook
from wushe.notify.domain.backoff import MAX_ATTEMPTS, retry_delay_seconds
from wushe.shared.metrics import ALERT_DELIVERIES

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)

LEASE = timedelta(seconds=60)


class DeliveryWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        poll_seconds: float = 0.5,
        batch_size: int = 50,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._sessions = sessions
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._timeout = timeout_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=self._timeout) as client:
            while True:
                try:
                    delivered = await self.deliver_due(client)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("alert delivery round failed")
                    delivered = 0
                if delivered >= self._batch_size:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
                self._wake.clear()

    async def deliver_due(self, client: httpx.AsyncClient) -> int:
        alerts = await self._lease_due()
        await asyncio.gather(*(self._deliver(client, alert, partner) for alert, partner in alerts))
        return len(alerts)

    async def _lease_due(self) -> list[tuple[AlertRecord, PartnerRecord]]:
        now = datetime.now(UTC)
        async with self._sessions() as session, session.begin():
            query = (
                select(AlertRecord, PartnerRecord)
                .join(PartnerRecord, PartnerRecord.id == AlertRecord.partner_id)
                .where(AlertRecord.status == "pending", AlertRecord.next_attempt_at <= now)
                .order_by(AlertRecord.next_attempt_at)
                .limit(self._batch_size)
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=AlertRecord)
            rows = [(alert, partner) for alert, partner in (await session.execute(query)).all()]
            if rows:
                await session.execute(
                    update(AlertRecord)
                    .where(AlertRecord.id.in_([alert.id for alert, _ in rows]))
                    .values(next_attempt_at=now + LEASE)
                )
        return rows

    async def _deliver(
        self, client: httpx.AsyncClient, alert: AlertRecord, partner: PartnerRecord
    ) -> None:
        parent = propagate.extract(alert.trace_headers or {})
        with tracer.start_as_current_span(
            f"deliver {alert.event_type}",
            context=parent,
            kind=trace.SpanKind.CLIENT,
            attributes={"wushe.alert_id": alert.id, "wushe.partner_id": partner.id},
        ) as span:
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            result = await post_webhook(
                client, partner.webhook_url, partner.webhook_secret, alert.id, alert.body, carrier
            )
            span.set_attribute("http.response.status_code", result.status_code or 0)
            if not result.ok:
                span.set_status(trace.Status(trace.StatusCode.ERROR, result.error))
            await self._record(alert, result)

    async def _record(self, alert: AlertRecord, result: DeliveryResult) -> None:
        now = datetime.now(UTC)
        attempts = alert.attempts + 1
        values: dict[str, object] = {"attempts": attempts}
        if result.ok:
            values |= {"status": "delivered", "delivered_at": now}
        elif attempts >= MAX_ATTEMPTS:
            values |= {"status": "dead"}
        else:
            values |= {"next_attempt_at": now + timedelta(seconds=retry_delay_seconds(attempts))}
        async with self._sessions() as session, session.begin():
            session.add(
                DeliveryAttemptRecord(
                    alert_id=alert.id,
                    attempted_at=now,
                    status_code=result.status_code,
                    latency_ms=result.latency_ms,
                    error=result.error,
                )
            )
            await session.execute(
                update(AlertRecord).where(AlertRecord.id == alert.id).values(**values)
            )
        ALERT_DELIVERIES.labels(str(values.get("status", "retry"))).inc()
        log.info(
            "alert delivery attempt",
            alert_id=alert.id,
            partner_id=alert.partner_id,
            status_code=result.status_code,
            latency_ms=round(result.latency_ms, 1),
            outcome=values.get("status", "retry"),
            error=result.error,
        )
