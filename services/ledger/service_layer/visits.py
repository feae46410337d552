"""Visits to a person (探访) and the regions' visit rules: commands, projectors, reads.

A visit moves the person's next due date on, which ends any escalation of a missed
one; a visit that found a crisis is also reported as ``crisis.reported``.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.adapters.visit_orm import VisitPlanRecord, VisitRecord, VisitRuleRecord
from wushe.ledger.domain.visit_cadence import GROUP_INTERVAL_DAYS, RiskLevel
from wushe.ledger.service_layer.commands import record
from wushe.ledger.service_layer.files import OPEN, active_file
from wushe.ledger.service_layer.visit_plans import today_in_china
from wushe.ledger.service_layer.volunteer_work import volunteer_of
from wushe.shared.auth import Caller, require_region
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.visits import (
    CrisisKind,
    CrisisReported,
    ServiceKind,
    VisitorKind,
    VisitRecorded,
    VisitRuleSet,
)
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.refusals import Invalid
from wushe.shared.unit_of_work import UnitOfWork

FINDINGS_COLUMN = "ledger_visits.findings"


@dataclass(frozen=True)
class NewVisit:
    visited_on: date
    visitor_kind: VisitorKind
    services: list[ServiceKind]
    findings: str | None = None
    follow_up_needed: bool = False
    crisis_kind: CrisisKind | None = None
    duration_minutes: int | None = None
    volunteer_id: str | None = None


async def record_visit(
    uow: UnitOfWork,
    producer: Producer,
    cipher: FieldCipher,
    caller: Caller,
    person_id: str,
    visit: NewVisit,
) -> EventEnvelope:
    """Record a visit on the person's file; returns ``visit.recorded``."""
    if visit.visited_on > today_in_china():
        raise Invalid(f"visited_on {visit.visited_on} is in the future", field="visited_on")
    volunteer = volunteer_of(caller, visit.volunteer_id, visit.visitor_kind)
    async with uow:
        file = await active_file(uow.session, person_id)
        require_region(caller, file.region_code)
        visit_id, person = uuid7(), UUID(file.person_id)
        recorded = new_event(
            VisitRecorded(
                visit_id=visit_id,
                person_id=person,
                visited_on=visit.visited_on,
                visitor_kind=visit.visitor_kind,
                services=visit.services,
                duration_minutes=visit.duration_minutes,
                findings_sealed=cipher.encrypt(visit.findings, FINDINGS_COLUMN)
                if visit.findings
                else None,
                follow_up_needed=visit.follow_up_needed,
                crisis_kind=visit.crisis_kind,
                volunteer_id=volunteer,
            ),
            subject=person_id,
            region_code=file.region_code,
            producer=producer,
            actor=caller.subject,
        )
        await record(uow, recorded, producer)
        if visit.crisis_kind is not None:
            crisis = CrisisReported(
                visit_id=visit_id,
                person_id=person,
                crisis_kind=visit.crisis_kind,
                found_on=visit.visited_on,
            )
            await record(
                uow,
                new_event(
                    crisis,
                    subject=person_id,
                    region_code=file.region_code,
                    producer=producer,
                    cause=recorded,
                    actor=caller.subject,
                ),
                producer,
            )
        await uow.commit()
    return recorded


async def set_visit_rule(
    uow: UnitOfWork,
    producer: Producer,
    caller: Caller,
    rule: VisitRuleSet,
) -> EventEnvelope:
    require_region(caller, rule.region_code, field="region")
    if rule.group not in GROUP_INTERVAL_DAYS:
        raise Invalid(
            f"unknown group {rule.group!r}; one of: {', '.join(GROUP_INTERVAL_DAYS)}", field="group"
        )
    if rule.risk_level is not None and rule.risk_level not in set(RiskLevel):
        raise Invalid(
            f"unknown risk level {rule.risk_level!r}; one of: {', '.join(RiskLevel)}",
            field="risk_level",
        )
    async with uow:
        event = new_event(
            rule,
            subject=rule.region_code,
            region_code=rule.region_code,
            producer=producer,
            actor=caller.subject,
        )
        await record(uow, event, producer)
        await uow.commit()
    return event


async def visits_of(session: AsyncSession, persons: list[str]) -> list[VisitRecord]:
    """The visits to the person and to the files merged into theirs, latest first."""
    rows = await session.scalars(
        select(VisitRecord)
        .where(VisitRecord.person_id.in_(persons))
        .order_by(VisitRecord.visited_on.desc(), VisitRecord.id.desc())
    )
    return list(rows)


async def rules_within(session: AsyncSession, prefix: str) -> list[VisitRuleRecord]:
    rows = await session.scalars(
        select(VisitRuleRecord)
        .where(VisitRuleRecord.region_prefix.startswith(prefix))
        .order_by(VisitRuleRecord.region_prefix, VisitRuleRecord.group, VisitRuleRecord.risk_level)
    )
    return list(rows)


async def visits_due(
    session: AsyncSession, prefix: str, before: date, *, limit: int, offset: int
) -> list[tuple[VisitPlanRecord, str]]:
    """Open files inside the region whose next visit is due by ``before``, most overdue
    first, with the file's region."""
    rows = await session.execute(
        select(VisitPlanRecord, LedgerFileRecord.region_code)
        .join(LedgerFileRecord, LedgerFileRecord.person_id == VisitPlanRecord.person_id)
        .where(
            VisitPlanRecord.next_due_on <= before,
            LedgerFileRecord.status == OPEN,
            LedgerFileRecord.region_code.startswith(prefix),
        )
        .order_by(VisitPlanRecord.next_due_on, VisitPlanRecord.person_id)
        .limit(limit)
        .offset(offset)
    )
    return [(plan, region_code) for plan, region_code in rows.tuples()]
