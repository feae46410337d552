"""Referrals that missed their deadline go up: to the station head, then the district.

The sweep looks at the referrals still running against a deadline (sent: the partner's
answer; accepted: its report that the work is done) whose deadline has passed, and
emits ``referral.escalated`` once per level. A sweep run late emits both levels at
once; a sweep run again emits nothing new. On PostgreSQL the rows are locked and
skipped by a concurrent sweep; within one process a lock keeps the background sweep
and the admin's check from overlapping.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

import structlog
from sqlalchemy import Select, and_, or_, select

from wushe.ledger.adapters.referral_orm import ReferralRecord
from wushe.ledger.domain.referrals import Clock, Status, as_utc, escalated_to
from wushe.ledger.service_layer.commands import record
from wushe.ledger.service_layer.files import file_of
from wushe.shared.events import Producer, new_event
from wushe.shared.events.referrals import EscalationLevel, ReferralEscalated, Urgency
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

SWEEPER = "ledger:referral-sweep"
_one_sweep_at_a_time = asyncio.Lock()


@dataclass
class EscalationResult:
    escalated: list[tuple[str, EscalationLevel]] = field(default_factory=list)


def clock_of(referral: ReferralRecord) -> Clock:
    return Clock(
        urgency=Urgency(referral.urgency),
        status=Status(referral.status),
        respond_by=referral.respond_by,
        complete_by=referral.complete_by,
        escalated=EscalationLevel(referral.escalated) if referral.escalated else None,
    )


async def escalate_referrals(
    uow: UnitOfWork, producer: Producer, now: datetime, *, batch_size: int = 200
) -> EscalationResult:
    """Escalate, as of ``now``, every referral past its deadline not yet told at each level."""
    result, now = EscalationResult(), as_utc(now)
    async with _one_sweep_at_a_time:
        after = ""
        while True:
            async with uow:
                rows = (await uow.session.scalars(_overdue(uow, now, after, batch_size))).all()
                for referral in rows:
                    await _escalate(uow, producer, referral, now, result)
                await uow.commit()
            if len(rows) < batch_size:
                return result
            after = rows[-1].id


def _overdue(
    uow: UnitOfWork, now: datetime, after: str, size: int
) -> Select[tuple[ReferralRecord]]:
    referral = ReferralRecord
    statement = (
        select(referral)
        .where(
            or_(
                and_(referral.status == Status.SENT.value, referral.respond_by < now),
                and_(referral.status == Status.ACCEPTED.value, referral.complete_by < now),
            ),
            or_(referral.escalated.is_(None), referral.escalated != EscalationLevel.DISTRICT.value),
            referral.id > after,
        )
        .order_by(referral.id)
        .limit(size)
    )
    if uow.session.bind.dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return statement


async def _escalate(
    uow: UnitOfWork,
    producer: Producer,
    referral: ReferralRecord,
    now: datetime,
    result: EscalationResult,
) -> None:
    clock = clock_of(referral)
    current = clock.deadline
    if current is None:
        return
    kind, due_at = current[0], as_utc(current[1])
    file = await file_of(uow.session, referral.person_id)
    region = file.region_code if file is not None else referral.region_code
    for level in clock.escalations_due(now):
        payload = ReferralEscalated(
            referral_id=UUID(referral.id),
            person_id=UUID(referral.person_id),
            partner_id=UUID(referral.partner_id),
            deadline=kind,
            due_at=due_at,
            level=level,
            escalated_to=escalated_to(level, region),
            detected_at=now,
        )
        event = new_event(
            payload, subject=referral.person_id, region_code=region, producer=producer,
            actor=SWEEPER,
        ).model_copy(update={"occurred_at": now})  # fmt: skip
        await record(uow, event, producer)
        result.escalated.append((referral.id, level))


class ReferralEscalationSweep:
    """Runs ``escalate_referrals`` now and then every ``poll_seconds``."""

    def __init__(self, runtime: ServiceRuntime, *, poll_seconds: float = 60) -> None:
        self._runtime = runtime
        self._poll_seconds = poll_seconds

    async def run(self) -> None:
        while True:
            try:
                found = await escalate_referrals(
                    self._runtime.unit_of_work(), self._runtime.producer, datetime.now(UTC)
                )
                if found.escalated:
                    log.info("referrals escalated", escalations=len(found.escalated))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("referral escalation sweep failed")
            await asyncio.sleep(self._poll_seconds)
