"""Delivers pending alerts to partners, retrying with backoff until delivered or dead.

Alerts are leased before delivery, so a notify process that dies mid-delivery leaves
them to be picked up again when the lease runs out; the receiver may then see the same
`webhook-id` twice and drops the repeat. The alerts routing has just made are leased in
routing's own transaction and handed to this process's worker once it commits
(``lease_fresh``, ``hand_over``): no round trip through the table between the event and
its webhook. The database stays the record: an alert handed over and lost with the
process is delivered when its lease runs out, like any other.

Each partner has a rate limit and a circuit breaker, kept in this process's memory: with
N replicas a partner may get up to N times the configured rate, which the configured
rate accounts for.
"""

import asyncio
import contextlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from opentelemetry import propagate
from opentelemetry.trace import SpanKind
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.notify.adapters.orm import AlertRecord, PartnerRecord
from wushe.notify.adapters.pending_rows import write_pending
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
from wushe.notify.domain.field_policy import open_sealed
from wushe.notify.domain.rate_limit import RateLimits
from wushe.notify.service_layer.channels import Senders, destinations_of
from wushe.notify.service_layer.delivery_log import Attempt, record_attempts
from wushe.notify.service_layer.webhook_secrets import secrets_for_signing
from wushe.shared.batch_sql import member_of
from wushe.shared.clock import Clock, utc_now
from wushe.shared.event_spans import continued_span
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.write_gate import writing

log = structlog.get_logger(__name__)

Sending = tuple[AlertRecord, list[Destination]]
PartnerChannels = dict[str, tuple[PartnerRecord, PartnerProfileRecord | None]]
SigningSecrets = dict[str, tuple[str, ...]]
Destinations = tuple[PartnerChannels, SigningSecrets]


@dataclass(frozen=True)
class FreshLease:
    """Alerts a transaction leased for this worker, with where they go as it read them."""

    alerts: list[AlertRecord]
    channels: PartnerChannels
    signing_secrets: SigningSecrets
    all_taken: bool  # every alert it made due, not only as many as there was room for


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
        self._senders: Senders | None = None
        self._batch_handed_over = False
        self._rounds: set[asyncio.Task[None]] = set()
        self.rate_limits = RateLimits(settings.rate_per_second, settings.rate_burst)
        self.breakers = CircuitBreakers(
            settings.breaker_failures, settings.breaker_cool_down_seconds
        )

    def wake(self) -> None:
        self._wake.set()

    async def run(self, senders: Senders) -> None:
        """Start a round whenever alerts are due; rounds overlap, so one slow partner's
        calls never hold back the next round's alerts to the others."""
        self._senders = senders
        try:
            while True:
                leased = 0
                room = self.room()
                try:
                    if room > 0:
                        leased = await self._begin_round(senders, room)
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
            self._senders = None
            for round_ in self._rounds:
                round_.cancel()
            await asyncio.gather(*self._rounds, return_exceptions=True)

    def room(self) -> int:
        """How many more alerts this worker would take on now (none while not running)."""
        if self._senders is None:
            return 0
        return max(0, self._settings.max_in_flight - self._in_flight)

    async def lease_fresh(
        self,
        session: AsyncSession,
        made_since: datetime,
        partners: Mapping[str, PartnerRecord],
        profiles: Mapping[str, PartnerProfileRecord],
    ) -> FreshLease:
        """In the caller's transaction: lease the alerts due now and made since
        ``made_since``, as many as there is room for, to ``hand_over`` once it commits;
        with where they go (``partners`` and ``profiles`` as the caller read them) and
        the partners' signing secrets, so that their round reads nothing more."""
        room = min(self.room(), self._settings.batch_size)
        if room == 0:
            return FreshLease([], {}, {}, all_taken=False)
        now = self._now()
        await write_pending(session)
        fresh = (
            select(AlertRecord.id)
            .where(
                AlertRecord.created_at >= made_since,
                AlertRecord.status == AlertStatus.PENDING,
                AlertRecord.next_attempt_at <= now,
            )
            .limit(room)
        )
        if session.bind.dialect.name == "postgresql":
            # Alerts another transaction made in the meantime may be in the loop's lease
            # right now: skipped, not leased twice (an UPDATE does not recheck its subquery).
            fresh = fresh.with_for_update(skip_locked=True)
        leased = list(
            await session.scalars(
                update(AlertRecord)
                .where(AlertRecord.id.in_(fresh))
                .values(next_attempt_at=now + timedelta(seconds=self._settings.lease_seconds))
                .returning(AlertRecord)
            )
        )
        partner_ids = {alert.partner_id for alert in leased}
        channels = {p: (partners[p], profiles.get(p)) for p in partner_ids}
        secrets = await secrets_for_signing(session, self._cipher, partner_ids, now)
        return FreshLease(leased, channels, secrets, all_taken=len(leased) < room)

    def hand_over(self, lease: FreshLease) -> None:
        """Deliver alerts leased by ``lease_fresh``, now that their transaction committed."""
        self._batch_handed_over = lease.all_taken
        if lease.alerts and self._senders is not None:
            self._start(self._senders, lease.alerts, (lease.channels, lease.signing_secrets))

    def wake_after_batch(self) -> None:
        """The wake after a consumed batch: none needed when the batch handed over every
        alert it made due (an empty lease costs a query and the SQLite writers' turn)."""
        if not self._batch_handed_over:
            self.wake()
        self._batch_handed_over = False

    def _start(
        self, senders: Senders, leased: list[AlertRecord], known: Destinations | None = None
    ) -> None:
        # Counted at once, so that the next round's room already leaves them out.
        self._in_flight += len(leased)
        task = asyncio.create_task(self._deliver_leased(senders, leased, known))
        self._rounds.add(task)
        task.add_done_callback(self._rounds.discard)

    async def deliver_due(self, senders: Senders) -> int:
        """One whole round: lease the due alerts, hold back those a partner's rate limit or
        open circuit stops, deliver the rest at once, log them. Returns how many were
        leased."""
        now = self._now()
        leased = await self._lease_due(now, self._settings.batch_size)
        if leased:
            self._in_flight += len(leased)
            await self._deliver_leased(senders, leased)
        return len(leased)

    async def _begin_round(self, senders: Senders, room: int) -> int:
        leased = await self._lease_due(self._now(), min(room, self._settings.batch_size))
        if leased:
            self._start(senders, leased)
        return len(leased)

    async def _deliver_leased(
        self, senders: Senders, leased: list[AlertRecord], known: Destinations | None = None
    ) -> None:
        """Deliver and log leased alerts, counted in flight until done."""
        try:
            sending = await self._sendable(leased, known)
            if sending:
                await self._finish_round(senders, sending)
        except Exception:
            # Unrecorded attempts are retried when their lease runs out.
            log.exception("alert delivery round failed", alerts=len(leased))
        finally:
            was_full = self.room() == 0
            self._in_flight -= len(leased)
            if was_full:  # the loop may be waiting for room to lease what is due
                self.wake()

    async def _sendable(
        self, leased: list[AlertRecord], known: Destinations | None
    ) -> list[Sending]:
        """The leased alerts with where each goes; those a partner's rate limit or open
        circuit stops are put back to wait. ``known``: where they go, when the caller has
        read it."""
        now = self._now()
        channels, secrets = known or await self._destinations(leased, now)
        held: list[tuple[str, datetime]] = []
        sending: list[Sending] = []
        for alert in leased:
            wait = self._wait_before_sending(alert.partner_id, now)
            if wait > 0:
                held.append((alert.id, now + timedelta(seconds=wait)))
                continue
            partner, profile = channels[alert.partner_id]
            reached = set(alert.delivered_channels or [])
            destinations = destinations_of(partner, profile, secrets.get(partner.id, ()))
            sending.append((alert, [d for d in destinations if d.channel.value not in reached]))
        if held:
            await self._hold(held)
        return sending

    async def _destinations(self, leased: list[AlertRecord], now: datetime) -> Destinations:
        partner_ids = {alert.partner_id for alert in leased}
        async with self._sessions() as session:
            partners = await session.execute(
                select(PartnerRecord, PartnerProfileRecord)
                .outerjoin(
                    PartnerProfileRecord, PartnerProfileRecord.partner_id == PartnerRecord.id
                )
                .where(PartnerRecord.id.in_(partner_ids))
            )
            channels = {partner.id: (partner, profile) for partner, profile in partners}
            secrets = await secrets_for_signing(session, self._cipher, partner_ids, now)
        return channels, secrets

    async def _finish_round(self, senders: Senders, sending: list[Sending]) -> None:
        attempts = await asyncio.gather(
            *(self._attempt(senders, alert, destinations) for alert, destinations in sending)
        )
        await record_attempts(self._sessions, attempts, self._settings, self._rng)

    def _wait_before_sending(self, partner_id: str, now: datetime) -> float:
        # The rate limit first: a token taken for an alert the circuit then holds back is
        # lost, while a probe claimed for an alert the rate limit holds back would be stuck.
        seconds = now.timestamp()
        return self.rate_limits.take(partner_id, seconds) or self.breakers.of(
            partner_id
        ).wait_seconds(seconds)

    async def _lease_due(self, now: datetime, limit: int) -> list[AlertRecord]:
        async with writing(self._sessions) as session:
            query = (
                select(AlertRecord)
                .where(
                    AlertRecord.status == AlertStatus.PENDING, AlertRecord.next_attempt_at <= now
                )
                .order_by(AlertRecord.next_attempt_at)
                .limit(limit)
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            alerts = list(await session.scalars(query))
            if alerts:
                lease_ends = now + timedelta(seconds=self._settings.lease_seconds)
                await session.execute(
                    update(AlertRecord)
                    .where(member_of(session, AlertRecord.id, [alert.id for alert in alerts]))
                    .values(next_attempt_at=lease_ends)
                )
        return alerts

    async def _hold(self, held: list[tuple[str, datetime]]) -> None:
        async with writing(self._sessions) as session:
            for alert_id, until in held:
                await session.execute(
                    update(AlertRecord)
                    .where(AlertRecord.id == alert_id)
                    .values(next_attempt_at=until)
                )

    async def _attempt(
        self, senders: Senders, alert: AlertRecord, destinations: list[Destination]
    ) -> Attempt:
        with continued_span(
            f"deliver {alert.event_type}",
            alert.trace_headers or {},
            SpanKind.CLIENT,
            {
                "wushe.alert_id": alert.id,
                "wushe.partner_id": alert.partner_id,
                "wushe.channels": [d.channel.value for d in destinations],
            },
            __name__,
        ) as outcome:
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            body = open_sealed(alert.body, self._cipher)
            outgoing = OutgoingAlert(alert.id, alert.event_type, body, carrier)
            results = await asyncio.gather(
                *(self._send(senders, outgoing, destination) for destination in destinations)
            )
            channels = [destination.channel for destination in destinations]
            attempt = Attempt(alert, list(zip(channels, results, strict=True)), self._now())
            if not attempt.ok:
                outcome.failed = "; ".join(r.error or "" for r in results if not r.ok)
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
