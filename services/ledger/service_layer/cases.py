"""Cases (个案): the commands that take a case through the standard process.

Each command loads the case and the file that holds it now (the survivor's after a
merge), checks the caller's region against that file, lets the case process decide,
and records one ``case.*`` event keyed by the person the case was opened for. Free
text is sealed here, before it leaves the command.
"""

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.ledger.adapters.case_orm import CaseGoalRecord, CaseRecord
from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.domain import case_process
from wushe.ledger.domain.case_process import CaseRuleBroken
from wushe.ledger.service_layer.case_reads import case_of, holding_file, open_kinds
from wushe.ledger.service_layer.commands import record
from wushe.ledger.service_layer.files import active_file
from wushe.ledger.service_layer.timeline import persons_on_file
from wushe.shared.auth import Caller, require_region
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.cases import (
    Agency,
    CaseAdvanced,
    CaseClosed,
    CaseConferenceHeld,
    CaseGoalEvaluated,
    CaseGoalsSet,
    CaseKind,
    CaseOpened,
    CaseReassigned,
    CaseReopened,
    CaseRisk,
    CaseRiskChanged,
    ClosingReason,
    GoalOutcome,
    SatisfactionScores,
    SealedGoal,
    Stage,
)
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.refusals import Invalid, NotFound, Refused
from wushe.shared.unit_of_work import UnitOfWork

STEP_NOTE = "ledger_case_steps.note"
SATISFACTION_COMMENT = "ledger_case_steps.satisfaction_comment"
GOAL_DESCRIPTION = "ledger_case_goals.description"
GOAL_OUTCOME_NOTE = "ledger_case_goals.outcome_note"
DECISIONS = "ledger_case_conferences.decisions"
RISK_REASON = "ledger_case_risk_changes.reason"


@dataclass(frozen=True)
class CaseDesk:
    """What every case command needs: its transaction, who asks, and the seal."""

    uow: UnitOfWork
    producer: Producer
    cipher: FieldCipher
    caller: Caller

    def seal(self, text: str | None, column: str) -> str | None:
        return self.cipher.encrypt(text, column) if text else None

    async def emit(
        self, payload: BaseModel, person_id: str, file: LedgerFileRecord
    ) -> EventEnvelope:
        event = new_event(
            payload, subject=person_id, region_code=file.region_code,
            producer=self.producer, actor=self.caller.subject,
        )  # fmt: skip
        await record(self.uow, event, self.producer)
        return event


@contextmanager
def _by_the_process() -> Iterator[None]:
    try:
        yield
    except CaseRuleBroken as broken:
        raise Refused(str(broken), field=broken.field) from None


Decision = Callable[[AsyncSession, CaseRecord], Awaitable[BaseModel]]


async def _on_case(desk: CaseDesk, case_id: str, decide: Decision) -> EventEnvelope:
    async with desk.uow:
        session = desk.uow.session
        case = await case_of(session, case_id)
        file = await holding_file(session, case.person_id)
        require_region(desk.caller, file.region_code)
        with _by_the_process():
            payload = await decide(session, case)
        event = await desk.emit(payload, case.person_id, file)
        await desk.uow.commit()
    return event


async def _goals(session: AsyncSession, case_id: str) -> list[CaseGoalRecord]:
    return list(
        await session.scalars(select(CaseGoalRecord).where(CaseGoalRecord.case_id == case_id))
    )


def _outcomes(goals: list[CaseGoalRecord]) -> list[GoalOutcome | None]:
    return [GoalOutcome(goal.outcome) if goal.outcome else None for goal in goals]


async def open_case(
    desk: CaseDesk, person_id: str, kind: CaseKind, risk: CaseRisk,
    social_worker: str | None, note: str | None,
) -> EventEnvelope:  # fmt: skip
    """Take a case on (接案) for a person whose file is open; the caller is responsible
    unless another worker is named."""
    async with desk.uow:
        session = desk.uow.session
        file = await active_file(session, person_id)
        require_region(desk.caller, file.region_code)
        persons = await persons_on_file(session, file.person_id)
        with _by_the_process():
            case_process.check_no_open_case_of(kind, await open_kinds(session, persons))
        opened = CaseOpened(
            case_id=uuid7(), person_id=UUID(file.person_id), kind=kind, risk_level=risk,
            social_worker=social_worker or desk.caller.subject,
            note_sealed=desk.seal(note, STEP_NOTE),
        )  # fmt: skip
        event = await desk.emit(opened, file.person_id, file)
        await desk.uow.commit()
    return event


async def move_case(
    desk: CaseDesk, case_id: str, to_stage: Stage, note: str | None
) -> EventEnvelope:
    async def decide(session: AsyncSession, case: CaseRecord) -> BaseModel:
        goals = await _goals(session, case.id)
        current = Stage(case.stage)
        case_process.check_transition(current, to_stage, len(goals), _outcomes(goals))
        return CaseAdvanced(
            case_id=UUID(case.id), person_id=UUID(case.person_id), from_stage=current,
            to_stage=to_stage, note_sealed=desk.seal(note, STEP_NOTE),
        )  # fmt: skip

    return await _on_case(desk, case_id, decide)


async def set_goals(desk: CaseDesk, case_id: str, descriptions: list[str]) -> EventEnvelope:
    async def decide(_: AsyncSession, case: CaseRecord) -> BaseModel:
        case_process.check_goals_settable(Stage(case.stage))
        goals = [
            SealedGoal(
                goal_id=uuid7(), description_sealed=desk.cipher.encrypt(text, GOAL_DESCRIPTION)
            )
            for text in descriptions
        ]
        return CaseGoalsSet(case_id=UUID(case.id), person_id=UUID(case.person_id), goals=goals)

    return await _on_case(desk, case_id, decide)


async def evaluate_goal(
    desk: CaseDesk, case_id: str, goal_id: str, outcome: GoalOutcome, note: str | None
) -> EventEnvelope:
    async def decide(session: AsyncSession, case: CaseRecord) -> BaseModel:
        case_process.check_goal_evaluable(Stage(case.stage))
        if goal_id not in {goal.id for goal in await _goals(session, case.id)}:
            raise NotFound(f"case {case.id} has no goal {goal_id}", field="goal_id")
        return CaseGoalEvaluated(
            case_id=UUID(case.id), person_id=UUID(case.person_id), goal_id=UUID(goal_id),
            outcome=outcome, note_sealed=desk.seal(note, GOAL_OUTCOME_NOTE),
        )  # fmt: skip

    return await _on_case(desk, case_id, decide)


async def hold_conference(
    desk: CaseDesk, case_id: str, held_on: date, agencies: list[Agency], decisions: str
) -> EventEnvelope:
    async def decide(_: AsyncSession, case: CaseRecord) -> BaseModel:
        case_process.check_open(Stage(case.stage), "hold a conference")
        if held_on < case.opened_at.date():
            raise Invalid(f"held_on {held_on} is before the case was opened", field="held_on")
        return CaseConferenceHeld(
            case_id=UUID(case.id), person_id=UUID(case.person_id), conference_id=uuid7(),
            held_on=held_on, agencies=agencies,
            decisions_sealed=desk.cipher.encrypt(decisions, DECISIONS),
        )  # fmt: skip

    return await _on_case(desk, case_id, decide)


async def change_risk(desk: CaseDesk, case_id: str, risk: CaseRisk, reason: str) -> EventEnvelope:
    async def decide(_: AsyncSession, case: CaseRecord) -> BaseModel:
        case_process.check_open(Stage(case.stage), "change its risk")
        case_process.check_risk_change(case.risk_level, risk.value)
        return CaseRiskChanged(
            case_id=UUID(case.id), person_id=UUID(case.person_id),
            from_level=CaseRisk(case.risk_level), to_level=risk,
            reason_sealed=desk.cipher.encrypt(reason, RISK_REASON),
        )  # fmt: skip

    return await _on_case(desk, case_id, decide)


async def reassign(desk: CaseDesk, case_id: str, social_worker: str) -> EventEnvelope:
    async def decide(_: AsyncSession, case: CaseRecord) -> BaseModel:
        case_process.check_open(Stage(case.stage), "reassign it")
        case_process.check_reassignment(case.social_worker, social_worker)
        return CaseReassigned(
            case_id=UUID(case.id), person_id=UUID(case.person_id),
            from_worker=case.social_worker, to_worker=social_worker,
        )  # fmt: skip

    return await _on_case(desk, case_id, decide)


@dataclass(frozen=True)
class Closing:
    reason: ClosingReason
    note: str | None = None
    satisfaction: SatisfactionScores | None = None
    comment: str | None = None


async def close_case(desk: CaseDesk, case_id: str, closing: Closing) -> EventEnvelope:
    async def decide(session: AsyncSession, case: CaseRecord) -> BaseModel:
        current = Stage(case.stage)
        case_process.check_closing(
            current, closing.reason, _outcomes(await _goals(session, case.id))
        )
        if closing.comment and closing.satisfaction is None:
            raise Invalid("a survey comment comes with the survey's scores", field="satisfaction")
        return CaseClosed(
            case_id=UUID(case.id), person_id=UUID(case.person_id), from_stage=current,
            reason=closing.reason, note_sealed=desk.seal(closing.note, STEP_NOTE),
            satisfaction=closing.satisfaction,
            satisfaction_comment_sealed=desk.seal(closing.comment, SATISFACTION_COMMENT),
        )  # fmt: skip

    return await _on_case(desk, case_id, decide)


async def reopen_case(desk: CaseDesk, case_id: str, note: str) -> EventEnvelope:
    """A closed case returns to assessment, if its person's file is open and has no
    other open case of its kind."""

    async def decide(session: AsyncSession, case: CaseRecord) -> BaseModel:
        case_process.check_reopening(Stage(case.stage))
        await active_file(session, case.person_id)
        persons = await persons_on_file(session, case.person_id)
        case_process.check_no_open_case_of(CaseKind(case.kind), await open_kinds(session, persons))
        return CaseReopened(
            case_id=UUID(case.id), person_id=UUID(case.person_id),
            note_sealed=desk.cipher.encrypt(note, STEP_NOTE),
        )  # fmt: skip

    return await _on_case(desk, case_id, decide)
