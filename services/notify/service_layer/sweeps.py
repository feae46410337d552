"""Periodic work on notify's clock: escalating alerts nobody acknowledged in time, and
sending each partner's daily digest. The clock is injectable so tests can move time."""

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import structlog
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from uuid_utils.compat import uuid7

from wushe.notify.adapters.orm import AlertRecord, PartnerRecord
from wushe.notify.adapters.sharing_orm import (
    DigestItemRecord,
    PartnerProfileRecord,
    RoutedAlertRecord,
)
from wushe.notify.domain.quiet_hours import latest_digest_time
from wushe.notify.service_layer.recipients import effective_rule, partner_covers
from wushe.notify.service_layer.routing import Escalation, Router
from wushe.notify.service_layer.timing import digest_time
from wushe.shared.events import EventEnvelope
from wushe.shared.write_gate import writing

log = structlog.get_logger(__name__)

DIGEST_TYPE = "digest.daily"


class Sweeper:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        router: Router,
        *,
        on_alerts: Callable[[], None] = lambda: None,
        interval_seconds: float = 30.0,
    ) -> None:
        self._sessions = sessions
        self._router = router
        self._on_alerts = on_alerts
        self._interval = interval_seconds

    async def run(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The next round tries again; a failing sweep must not end the service.
                log.exception("alert sweep failed")
            await asyncio.sleep(self._interval)

    async def sweep(self) -> int:
        made = await self.escalate_unacknowledged() + await self.send_digests()
        if made:
            self._on_alerts()
        return made

    async def escalate_unacknowledged(self) -> int:
        """Alerts past their escalation time: when no alert of the same event and rule was
        acknowledged, the next level (the rule's ``escalate_to``) is alerted, once."""
        now = self._router.clock()
        async with self._sessions() as session:
            due = list(
                await session.scalars(
                    select(RoutedAlertRecord).where(
                        RoutedAlertRecord.escalate_at <= now,
                        RoutedAlertRecord.escalated_at.is_(None),
                    )
                )
            )
        made = 0
        for event_id in sorted({row.event_id for row in due}):
            siblings = [row for row in due if row.event_id == event_id]
            made += await self._escalate(siblings, now)
        return made

    async def _escalate(self, siblings: list[RoutedAlertRecord], now: datetime) -> int:
        first = siblings[0]
        async with writing(self._sessions) as session:
            claimed = cast(
                CursorResult[Any],
                await session.execute(
                    update(RoutedAlertRecord)
                    .where(
                        RoutedAlertRecord.id.in_([row.id for row in siblings]),
                        RoutedAlertRecord.escalated_at.is_(None),
                    )
                    .values(escalated_at=now)
                ),
            )
            if claimed.rowcount == 0:  # another replica took it
                return 0
            if await _acknowledged(session, [row.id for row in siblings]):
                return 0
            assert first.escalation_event is not None
            event = EventEnvelope.model_validate(first.escalation_event)
            effective = await effective_rule(session, first.rule, event.region_code)
            target = effective.rule.escalate_to
            if target is None:
                return 0
            partners = [
                p
                for p in await session.scalars(
                    select(PartnerRecord).where(PartnerRecord.kind == target)
                )
                if partner_covers(p, event.region_code)
            ]
            made = 0
            for partner in sorted(partners, key=lambda p: p.id):
                made += await self._router.alert(
                    session, event, partner, effective.rule, now, Escalation(of_alert=first.id)
                )
            log.info("alert escalated", rule=first.rule, event_id=first.event_id, alerts=made)
            return made

    async def send_digests(self) -> int:
        now = self._router.clock()
        async with self._sessions() as session:
            profiles = list(
                await session.scalars(
                    select(PartnerProfileRecord).where(PartnerProfileRecord.digest_at.is_not(None))
                )
            )
        made = 0
        for profile in profiles:
            at = digest_time(profile)
            assert at is not None
            # IntegrityError: another replica sent this digest.
            with contextlib.suppress(IntegrityError):
                made += await self._send_digest(
                    profile.partner_id, latest_digest_time(at, now), now
                )
        return made

    async def _send_digest(self, partner_id: str, due: datetime, now: datetime) -> int:
        async with writing(self._sessions) as session:
            items = list(
                await session.scalars(
                    select(DigestItemRecord)
                    .where(
                        DigestItemRecord.partner_id == partner_id,
                        DigestItemRecord.digest_alert_id.is_(None),
                        DigestItemRecord.created_at < due,
                    )
                    .order_by(DigestItemRecord.created_at)
                )
            )
            partner = await session.get(PartnerRecord, partner_id)
            if not items or partner is None:
                return 0
            alert_id = str(uuid7())
            region = partner.regions[0]
            session.add(
                AlertRecord(
                    id=alert_id,
                    idempotency_key=f"digest:{partner_id}:{due:%Y%m%dT%H%M}",
                    partner_id=partner_id,
                    event_id=alert_id,
                    event_type=DIGEST_TYPE,
                    rule="digest",
                    subject=f"digest:{partner_id}",
                    region_code=region,
                    body={
                        "type": DIGEST_TYPE,
                        "timestamp": now.isoformat(),
                        "data": {
                            "alert_id": alert_id,
                            "event_id": alert_id,
                            "reason": "digest",
                            "rule": "digest",
                            "subject": None,
                            "region_code": region,
                            "count": len(items),
                            "items": [{"type": i.event_type, "data": i.data} for i in items],
                        },
                    },
                    trace_headers={},
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
            await session.flush()
            await session.execute(
                update(DigestItemRecord)
                .where(DigestItemRecord.id.in_([i.id for i in items]))
                .values(digest_alert_id=alert_id)
            )
        return 1


async def _acknowledged(session: AsyncSession, alert_ids: list[str]) -> bool:
    """Acknowledged directly, or through the digest that carried it."""
    carried_by = list(
        await session.scalars(
            select(DigestItemRecord.digest_alert_id).where(
                DigestItemRecord.id.in_(alert_ids), DigestItemRecord.digest_alert_id.is_not(None)
            )
        )
    )
    acknowledged = await session.scalar(
        select(AlertRecord.id)
        .where(
            AlertRecord.id.in_([*alert_ids, *carried_by]),
            AlertRecord.acknowledged_at.is_not(None),
        )
        .limit(1)
    )
    return acknowledged is not None
