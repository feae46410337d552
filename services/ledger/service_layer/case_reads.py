"""Reading cases: a case with its history, a file's cases, the risk of open cases."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.ledger.adapters.case_orm import (
    CaseConferenceRecord,
    CaseGoalRecord,
    CaseRecord,
    CaseRiskChangeRecord,
    CaseStepRecord,
)
from wushe.ledger.adapters.orm import LedgerFileRecord

# Projectors of one event run in the order they were registered. Visit plans read the
# cases' risk while applying the same case events, so importing this module registers
# the projectors that write the cases' rows first, whoever imports it.
from wushe.ledger.service_layer import case_projectors  # noqa: F401
from wushe.ledger.service_layer.files import file_of
from wushe.shared.events.cases import CaseRisk, Stage
from wushe.shared.refusals import NotFound

RISK_ORDER = list(CaseRisk)


@dataclass(frozen=True)
class CaseHistory:
    case: CaseRecord
    steps: list[CaseStepRecord]
    goals: list[CaseGoalRecord]
    conferences: list[CaseConferenceRecord]
    risk_changes: list[CaseRiskChangeRecord]


async def current_risk(session: AsyncSession, persons: list[str]) -> str | None:
    """The highest risk among the open cases of ``persons`` (one person's merged files),
    or None when none of them has an open case."""
    levels = set(
        await session.scalars(
            select(CaseRecord.risk_level).where(
                CaseRecord.person_id.in_(persons), CaseRecord.stage != Stage.CLOSED.value
            )
        )
    )
    known = [level for level in RISK_ORDER if level.value in levels]
    return known[-1].value if known else None


async def case_of(session: AsyncSession, case_id: str) -> CaseRecord:
    record = await session.get(CaseRecord, case_id)
    if record is None:
        raise NotFound(f"no case {case_id}", field="case_id")
    return record


async def holding_file(session: AsyncSession, person_id: str) -> LedgerFileRecord:
    """The file a person's cases are on now: their own, or the survivor of a merge."""
    record = await file_of(session, person_id)
    seen: set[str] = set()
    while record is not None and record.merged_into and record.person_id not in seen:
        seen.add(record.person_id)
        record = await file_of(session, record.merged_into)
    if record is None:
        raise NotFound(f"no file for person {person_id}", field="person_id")
    return record


async def open_kinds(session: AsyncSession, persons: Sequence[str]) -> set[str]:
    return set(
        await session.scalars(
            select(CaseRecord.kind).where(
                CaseRecord.person_id.in_(persons), CaseRecord.stage != Stage.CLOSED.value
            )
        )
    )


async def cases_of(session: AsyncSession, persons: Sequence[str]) -> list[CaseRecord]:
    """The cases of the person and of the files merged into theirs, latest first."""
    rows = await session.scalars(
        select(CaseRecord)
        .where(CaseRecord.person_id.in_(persons))
        .order_by(CaseRecord.opened_at.desc(), CaseRecord.id.desc())
    )
    return list(rows)


async def history_of(session: AsyncSession, record: CaseRecord) -> CaseHistory:
    steps = await session.scalars(
        select(CaseStepRecord)
        .where(CaseStepRecord.case_id == record.id)
        .order_by(CaseStepRecord.occurred_at, CaseStepRecord.event_id)
    )
    goals = await session.scalars(
        select(CaseGoalRecord)
        .where(CaseGoalRecord.case_id == record.id)
        .order_by(CaseGoalRecord.set_at, CaseGoalRecord.id)
    )
    conferences = await session.scalars(
        select(CaseConferenceRecord)
        .where(CaseConferenceRecord.case_id == record.id)
        .order_by(CaseConferenceRecord.held_on, CaseConferenceRecord.id)
    )
    risk_changes = await session.scalars(
        select(CaseRiskChangeRecord)
        .where(CaseRiskChangeRecord.case_id == record.id)
        .order_by(CaseRiskChangeRecord.changed_at, CaseRiskChangeRecord.event_id)
    )
    return CaseHistory(record, list(steps), list(goals), list(conferences), list(risk_changes))
