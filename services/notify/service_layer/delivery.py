"""Delivers pending alerts to partners, retrying with backoff until delivered or dead.

Alerts are leased before delivery, so a notify process that dies mid-delivery leaves
them to be picked up again when the lease runs out; the receiver may then see the same
`webhook-id` twice and drops the repeat. Each partner has a rate limit and a circuit
breaker, kept in this process's memory: with N replicas a partner may get up to N times
the configured rate, which the configured rate accounts for.
"""

import asyncio
import contextlib
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from opentelemetry import propagate, trace
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.notify.adapters.orm import AlertRecord, PartnerRecord
from wushe.notify.adapters.sharing_orm import PartnerProfileRecord
from wushe.notify.config import DeliverySettings
from wushe.notify.domain.circuit_breaker import CircuitBreakers
from wushe.notify.domain.delivery import (
    AlertStatus,
    Channel,
    DeliveryResult,
    Destination,
    OutgoingAlert,
)
from wushe.notify.domain.rate_limit import RateLimits
from wushe.notify.service_layer.channels import Senders, destinations_of
from wushe.notify.service_layer.delivery_log import Attempt, record_attempts
from wushe.notify.service_layer.webhook_secrets import secrets_for_signing
from wushe.shared.field_encryption import FieldCipher

log = structlog.get_logger(__name__)
tracer = trace.get_tracer(__name__)

Clock = Callable[[], datetime]
Leased = tuple[AlertRecord, PartnerRecord, PartnerProfileRecord | None]
Sending = tuple[AlertRecord, list[Destination]]


def utc_now() -> datetime:
    return datetime.now(UTC)


class DeliveryWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: FieldCipher,
        settings: DeliverySettings,
        *,
        now: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._settings = settings
        self._now = now
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._in_flight = 0
        self.rate_limits = RateLimits(settings.rate_per_second, settings.rate_burst)
        self.breakers = CircuitBreakers(
            settings.breaker_failures, settings.breaker_cool_down_seconds
        )

    def wake(self) -> None:
        self._wake.set()

    async def run(self, senders: Senders) -> None:
        """Start a round whenever alerts are due; rounds overlap, so one slow partner's
        calls never hold back the next round's alerts to the others."""
        rounds: set[asyncio.Task[None]] = set()
        try:
            while True:
                leased = 0
                room = self._settings.max_in_flight - self._in_flight
                try:
                    if room > 0:
                        leased, round_ = await self._begin_round(senders, room)
                        if round_ is not None:
                            rounds.add(round_)
                            round_.add_done_callback(rounds.discard)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("alert delivery round failed to start")
                if leased >= min(room, self._settings.batch_size) > 0:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)
                self._wake.clear()
        finally:
            for round_ in rounds:
                round_.cancel()
            await asyncio.gather(*rounds, return_exceptions=True)

    async def deliver_due(self, senders: Senders) -> int:
        """One whole round: lease the due alerts, hold back those a partner's rate limit or
        open circuit stops, deliver the rest at once, log them. Returns how many were
        leased."""
        leased, round_ = await self._begin_round(senders, self._settings.batch_size)
        if round_ is not None:
            await round_
        return leased

    async def _begin_round(
        self, senders: Senders, room: int
    ) -> tuple[int, asyncio.Task[None] | None]:
        now = self._now()
        leased = await self._lease_due(now, min(room, self._settings.batch_size))
        if not leased:
            return 0, None
        async with self._sessions() as session:
            secrets = await secrets_for_signing(
                session, self._cipher, {alert.partner_id for alert, _, _ in leased}, now
            )
        held: list[tuple[str, datetime]] = []
        sending: list[Sending] = []
        for alert, partner, profile in leased:
            wait = self._wait_before_sending(partner.id, now)
            if wait > 0:
                held.append((alert.id, now + timedelta(seconds=wait)))
                continue
            reached = set(alert.delivered_channels or [])
            destinations = destinations_of(partner, profile, secrets.get(partner.id, ()))
            sending.append((alert, [d for d in destinations if d.channel.value not in reached]))
        if held:
            await self._hold(held)
        if not sending:
            return len(leased), None
        self._in_flight += len(sending)
        return len(leased), asyncio.create_task(self._finish_round(senders, sending))

    async def _finish_round(self, senders: Senders, sending: list[Sending]) -> None:
        try:
            attempts = await asyncio.gather(
                *(self._attempt(senders, alert, destinations) for alert, destinations in sending)
            )
            await record_attempts(self._sessions, attempts, self._settings, self._rng)
        except Exception:
            # Unrecorded attempts are retried when their lease runs out.
            log.exception("alert delivery round failed", alerts=len(sending))
        finally:
            self._in_flight -= len(sending)
            self.wake()

    def _wait_before_sending(self, partner_id: str, now: datetime) -> float:
        # The rate limit first: a token taken for an alert the circuit then holds back is
        # lost, while a probe claimed for an alert the rate limit holds back would be stuck.
        seconds = now.timestamp()
        return self.rate_limits.take(partner_id, seconds) or self.breakers.of(
            partner_id
        ).wait_seconds(seconds)

    async def _lease_due(self, now: datetime, limit: int) -> list[Leased]:
        async with self._sessions() as session, session.begin():
            query = (
                select(AlertRecord, PartnerRecord, PartnerProfileRecord)
                .join(PartnerRecord, PartnerRecord.id == AlertRecord.partner_id)
                .outerjoin(
                    PartnerProfileRecord, PartnerProfileRecord.partner_id == AlertRecord.partner_id
                )
                .where(
                    AlertRecord.status == AlertStatus.PENDING, AlertRecord.next_attempt_at <= now
                )
                .order_by(AlertRecord.next_attempt_at)
                .limit(limit)
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=AlertRecord)
            rows: list[Leased] = [
                (alert, partner, profile)
                for alert, partner, profile in await session.execute(query)
            ]
            if rows:
                lease_ends = now + timedelta(seconds=self._settings.lease_seconds)
                await session.execute(
                    update(AlertRecord)
                    .where(AlertRecord.id.in_([alert.id for alert, _, _ in rows]))
                    .values(next_attempt_at=lease_ends)
                )
        return rows

    async def _hold(self, held: list[tuple[str, datetime]]) -> None:
        async with self._sessions() as session, session.begin():
            for alert_id, until in held:
                await session.execute(
                    update(AlertRecord)
                    .where(AlertRecord.id == alert_id)
                    .values(next_attempt_at=until)
                )

    async def _attempt(
        self, senders: Senders, alert: AlertRecord, destinations: list[Destination]
    ) -> Attempt:
        with tracer.start_as_current_span(
            f"deliver {alert.event_type}",
            context=propagate.extract(alert.trace_headers or {}),
            kind=trace.SpanKind.CLIENT,
            attributes={
                "wushe.alert_id": alert.id,
                "wushe.partner_id": alert.partner_id,
                "wushe.channels": [d.channel.value for d in destinations],
            },
        ) as span:
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            outgoing = OutgoingAlert(alert.id, alert.event_type, alert.body, carrier)
            results = await asyncio.gather(
                *(self._send(senders, outgoing, destination) for destination in destinations)
            )
            channels = [destination.channel for destination in destinations]
            attempt = Attempt(alert, list(zip(channels, results, strict=True)), self._now())
            if not attempt.ok:
                errors = "; ".join(r.error or "" for r in results if not r.ok)
                span.set_status(trace.Status(trace.StatusCode.ERROR, errors))
        breaker = self.breakers.of(alert.partner_id)
        if attempt.ok:
            breaker.record_success()
        else:
            breaker.record_failure(attempt.finished_at.timestamp())
        return attempt

    async def _send(
        self, senders: Senders, alert: OutgoingAlert, destination: Destination
    ) -> DeliveryResult:
        if destination.channel is Channel.WEBHOOK and not destination.signing_secrets:
            return DeliveryResult(False, 0.0, "signing_secrets: the partner has no valid secret")
        # Signed with the wall clock, not the injected one: the receiver checks the
        # timestamp against its own clock.
        return await senders.for_channel(destination.channel).send(alert, destination, utc_now())
