"""Overdue visits: a sweep finds the files whose next visit is past due, reports each
missed visit once (``visit.overdue``) and escalates it one level at a time
(``visit.escalated``) while it stays missed.

The sweep reads the plans through the index on ``next_due_on``, a batch per
transaction, from where the previous batch stopped, and skips the plans whose missed
visit has gone all the way up the chain; so a province's files are never held in
memory, and a sweep repeated the same day finds nothing to say. On PostgreSQL the
rows of a batch are locked, so that two ledger processes never report the same visit.
"""

import asyncio
import os
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import structlog
from sqlalchemy import Select, and_, or_, select

from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.adapters.visit_orm import VisitPlanRecord
from wushe.ledger.domain.escalation import CHAIN, EscalationPolicy, level_of
from wushe.ledger.service_layer.commands import record
from wushe.ledger.service_layer.files import OPEN
from wushe.ledger.service_layer.visit_plans import today_in_china
from wushe.shared.events import Producer, new_event
from wushe.shared.events.visits import VisitEscalated, VisitOverdue
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

SWEEPER = "ledger:visit-sweep"


@dataclass
class SweepResult:
    overdue: int = 0
    escalated: int = 0


async def detect_overdue(
    uow: UnitOfWork,
    producer: Producer,
    today: date,
    *,
    policy: EscalationPolicy | None = None,
    batch_size: int = 500,
) -> SweepResult:
    """Report and escalate, as of ``today``, every missed visit of an open file."""
    policy = policy or EscalationPolicy()
    result = SweepResult()
    after: tuple[date, str] | None = None
    while True:
        async with uow:
            rows = (await uow.session.execute(_due_batch(uow, today, after, batch_size))).all()
            for plan, region_code in rows:
                await _report(uow, producer, plan, region_code, today, policy, result)
            await uow.commit()
        if len(rows) < batch_size:
            return result
        last = rows[-1][0]
        after = (last.next_due_on, last.person_id)


def _due_batch(
    uow: UnitOfWork, today: date, after: tuple[date, str] | None, size: int
) -> Select[tuple[VisitPlanRecord, str]]:
    plan = VisitPlanRecord
    statement = (
        select(plan, LedgerFileRecord.region_code)
        .join(LedgerFileRecord, LedgerFileRecord.person_id == plan.person_id)
        .where(
            plan.next_due_on < today,
            LedgerFileRecord.status == OPEN,
            or_(
                plan.overdue_due_on.is_(None),
                plan.overdue_due_on != plan.next_due_on,
                plan.overdue_rank < len(CHAIN),
            ),
        )
        .order_by(plan.next_due_on, plan.person_id)
        .limit(size)
    )
    if after is not None:
        due, person = after
        statement = statement.where(
            or_(plan.next_due_on > due, and_(plan.next_due_on == due, plan.person_id > person))
        )
    if uow.session.bind.dialect.name == "postgresql":
        statement = statement.with_for_update(of=plan, skip_locked=True)
    return statement


async def _report(
    uow: UnitOfWork,
    producer: Producer,
    plan: VisitPlanRecord,
    region_code: str,
    today: date,
    policy: EscalationPolicy,
    result: SweepResult,
) -> None:
    due_on, interval = plan.next_due_on, plan.interval_days
    assert due_on is not None and interval is not None
    reached = plan.overdue_rank if plan.overdue_due_on == due_on else 0
    target = policy.rank_due(due_on, today, interval)
    person = UUID(plan.person_id)

    async def emit(payload: VisitOverdue | VisitEscalated) -> None:
        event = new_event(
            payload,
            subject=plan.person_id,
            region_code=region_code,
            producer=producer,
            actor=SWEEPER,
        )
        await record(uow, event, producer)

    if reached == 0 and target >= 1:
        await emit(
            VisitOverdue(
                person_id=person,
                due_on=due_on,
                interval_days=interval,
                detected_on=today,
                notified_level=level_of(1),
            )
        )
        result.overdue += 1
        reached = 1
    for rank in range(reached + 1, target + 1):
        await emit(
            VisitEscalated(
                person_id=person,
                due_on=due_on,
                level=level_of(rank),
                days_overdue=(today - due_on).days,
                detected_on=today,
            )
        )
        result.escalated += 1


def policy_from_environment() -> EscalationPolicy:
    """``LEDGER_VISIT_ESCALATION_DAYS``: days per escalation level; unset, the person's
    own visit interval."""
    days = os.environ.get("LEDGER_VISIT_ESCALATION_DAYS")
    return EscalationPolicy(step_days=int(days) if days else None)


class OverdueSweep:
    """Runs ``detect_overdue`` with the date in China, now and then every ``poll_seconds``."""

    def __init__(
        self, runtime: ServiceRuntime, policy: EscalationPolicy, *, poll_seconds: float = 3600
    ) -> None:
        self._runtime = runtime
        self._policy = policy
        self._poll_seconds = poll_seconds

    async def run(self) -> None:
        while True:
            try:
                found = await detect_overdue(
                    self._runtime.unit_of_work(),
                    self._runtime.producer,
                    today_in_china(),
                    policy=self._policy,
                )
                if found.overdue or found.escalated:
                    log.info("overdue visits", overdue=found.overdue, escalated=found.escalated)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("overdue sweep failed")
            await asyncio.sleep(self._poll_seconds)
