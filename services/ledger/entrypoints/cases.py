"""Cases (个案): opening, moving through the process, goals, conferences, risk,
assignment, closing with the satisfaction survey, reopening; and reading them."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from wushe.ledger.adapters.case_orm import CaseRecord
from wushe.ledger.domain.case_process import STAGE_NAMES
from wushe.ledger.service_layer import cases
from wushe.ledger.service_layer.case_reads import (
    CaseHistory,
    case_of,
    cases_of,
    history_of,
    holding_file,
)
from wushe.ledger.service_layer.cases import CaseDesk, Closing
from wushe.ledger.service_layer.timeline import persons_on_file
from wushe.shared.auth import Caller, CurrentCaller, Role, require_region, require_role
from wushe.shared.events import EventEnvelope
from wushe.shared.events.cases import (
    CASE_KIND_NAMES,
    Agency,
    CaseKind,
    CaseRisk,
    ClosingReason,
    GoalOutcome,
    SatisfactionScores,
    Stage,
)
from wushe.shared.events.names import name_in
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.http import RuntimeDep
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.telemetry import current_trace_id

router = APIRouter(tags=["cases"])

# Those who run cases; they alone read what is sealed.
CASE_WORKERS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)

Note = Field(None, max_length=4000, description="Why, or what happened; stored sealed")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenBody(Body):
    person_id: UUID = Field(description="The person whose file the case is opened on")
    kind: CaseKind = Field(description="What the case is about")
    risk_level: CaseRisk = Field(description="Risk as assessed at intake")
    social_worker: str | None = Field(
        None, min_length=1, max_length=100,
        description="Account of the responsible worker; default: the caller",
    )  # fmt: skip
    note: str | None = Note


class TransitionBody(Body):
    to_stage: Stage = Field(
        description="The next stage, or planning / intervention from evaluation"
    )
    note: str | None = Note


class GoalsBody(Body):
    goals: list[Annotated[str, Field(min_length=1, max_length=1000)]] = Field(
        min_length=1, max_length=20, description="The plan's goals, one per item; stored sealed"
    )


class OutcomeBody(Body):
    outcome: GoalOutcome
    note: str | None = Note


class ConferenceBody(Body):
    held_on: date
    agencies: list[Agency] = Field(
        min_length=1, description="The organisations that took part (not people)"
    )
    decisions: str = Field(min_length=1, max_length=8000, description="Stored sealed")


class RiskBody(Body):
    risk_level: CaseRisk
    reason: str = Field(min_length=1, max_length=4000, description="Stored sealed")


class AssignmentBody(Body):
    social_worker: str = Field(min_length=1, max_length=100, description="The worker's account")


class ClosingBody(Body):
    reason: ClosingReason
    note: str | None = Note
    satisfaction: SatisfactionScores | None = Field(
        None, description="The person's answers to the closing survey, if they gave them"
    )
    satisfaction_comment: str | None = Field(None, max_length=4000, description="Stored sealed")


class ReopeningBody(Body):
    note: str = Field(min_length=1, max_length=4000, description="Why; stored sealed")


class Recorded(BaseModel):
    id: UUID
    event_id: UUID
    trace_id: str | None = Field(default_factory=current_trace_id)


class CaseSummary(BaseModel):
    case_id: UUID
    person_id: UUID
    kind: str
    kind_name: str
    stage: str
    stage_name: str
    risk_level: str
    social_worker: str
    region_code: str = Field(description="Where the file was when the case was opened")
    opened_at: datetime
    opened_by: str | None
    closed_at: datetime | None
    closing_reason: str | None

    @classmethod
    def of(cls, row: CaseRecord) -> "CaseSummary":
        return cls(
            case_id=UUID(row.id), person_id=UUID(row.person_id),
            kind=row.kind, kind_name=name_in(CASE_KIND_NAMES, row.kind),
            stage=row.stage, stage_name=STAGE_NAMES[Stage(row.stage)],
            risk_level=row.risk_level, social_worker=row.social_worker,
            region_code=row.region_code, opened_at=row.opened_at, opened_by=row.opened_by,
            closed_at=row.closed_at, closing_reason=row.closing_reason,
        )  # fmt: skip


class StepView(BaseModel):
    from_stage: str | None
    to_stage: str
    at: datetime
    by: str | None
    note: str | None
    closing_reason: str | None
    satisfaction: dict[str, int] | None
    satisfaction_comment: str | None


class GoalView(BaseModel):
    goal_id: UUID
    description: str | None
    set_at: datetime
    outcome: str | None
    outcome_note: str | None
    evaluated_at: datetime | None


class ConferenceView(BaseModel):
    conference_id: UUID
    held_on: date
    agencies: list[Agency]
    decisions: str | None
    recorded_by: str | None


class RiskChangeView(BaseModel):
    from_level: str
    to_level: str
    reason: str | None
    at: datetime
    by: str | None


class CaseView(CaseSummary):
    """A case with its history; sealed text is shown to admins, station staff and social
    workers only, and is null for everyone else."""

    steps: list[StepView]
    goals: list[GoalView]
    conferences: list[ConferenceView]
    risk_changes: list[RiskChangeView]


def _case_view(history: CaseHistory, cipher: FieldCipher | None) -> CaseView:
    def opened(text: str | None, column: str) -> str | None:
        return cipher.decrypt(text, column) if cipher and text else None

    steps = [
        StepView(
            from_stage=s.from_stage, to_stage=s.to_stage, at=s.occurred_at, by=s.actor,
            note=opened(s.note, cases.STEP_NOTE), closing_reason=s.closing_reason,
            satisfaction=s.satisfaction,
            satisfaction_comment=opened(s.satisfaction_comment, cases.SATISFACTION_COMMENT),
        )
        for s in history.steps
    ]  # fmt: skip
    goals = [
        GoalView(
            goal_id=UUID(g.id), description=opened(g.description, cases.GOAL_DESCRIPTION),
            set_at=g.set_at, outcome=g.outcome,
            outcome_note=opened(g.outcome_note, cases.GOAL_OUTCOME_NOTE),
            evaluated_at=g.evaluated_at,
        )
        for g in history.goals
    ]  # fmt: skip
    conferences = [
        ConferenceView(
            conference_id=UUID(c.id), held_on=c.held_on,
            agencies=[Agency.model_validate(agency) for agency in c.agencies],
            decisions=opened(c.decisions, cases.DECISIONS), recorded_by=c.recorded_by,
        )
        for c in history.conferences
    ]  # fmt: skip
    risk_changes = [
        RiskChangeView(
            from_level=r.from_level, to_level=r.to_level,
            reason=opened(r.reason, cases.RISK_REASON), at=r.changed_at, by=r.changed_by,
        )
        for r in history.risk_changes
    ]  # fmt: skip
    summary = CaseSummary.of(history.case).model_dump()
    return CaseView(
        **summary, steps=steps, goals=goals, conferences=conferences, risk_changes=risk_changes
    )


def _desk(runtime: ServiceRuntime, caller: Caller) -> CaseDesk:
    require_role(caller, *CASE_WORKERS)
    return CaseDesk(
        runtime.unit_of_work(), runtime.producer, runtime.settings.field_cipher(), caller
    )


def _recorded(event: EventEnvelope) -> Recorded:
    return Recorded(id=event.payload["case_id"], event_id=event.id)


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_case(body: OpenBody, caller: CurrentCaller, runtime: RuntimeDep) -> Recorded:
    """Take a case on (接案). A person has at most one open case of a kind (409 naming
    ``kind``); a merged or closed file takes no new case (409 naming ``person_id``)."""
    event = await cases.open_case(
        _desk(runtime, caller), str(body.person_id), body.kind, body.risk_level,
        body.social_worker, body.note,
    )  # fmt: skip
    return _recorded(event)


@router.get("/cases/{case_id}", response_model=CaseView)
async def get_case(case_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> CaseView:
    async with runtime.snapshot() as session:
        record = await case_of(session, str(case_id))
        require_region(caller, (await holding_file(session, record.person_id)).region_code)
        history = await history_of(session, record)
    cipher = runtime.settings.field_cipher() if caller.role in CASE_WORKERS else None
    return _case_view(history, cipher)


@router.get("/files/{person_id}/cases", response_model=list[CaseSummary])
async def get_file_cases(
    person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[CaseSummary]:
    """The person's cases over their life, latest first, with those of files merged into
    theirs."""
    async with runtime.snapshot() as session:
        file = await holding_file(session, str(person_id))
        require_region(caller, file.region_code)
        rows = await cases_of(session, await persons_on_file(session, file.person_id))
    return [CaseSummary.of(row) for row in rows]


@router.post("/cases/{case_id}/transitions", response_model=Recorded)
async def post_transition(
    case_id: UUID, body: TransitionBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Move the case forward one stage, or back from evaluation to planning or
    intervention when a goal was not met (409 naming the field otherwise)."""
    desk = _desk(runtime, caller)
    return _recorded(await cases.move_case(desk, str(case_id), body.to_stage, body.note))


@router.post("/cases/{case_id}/goals", response_model=Recorded)
async def post_goals(
    case_id: UUID, body: GoalsBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Add goals to the plan; only while planning."""
    return _recorded(await cases.set_goals(_desk(runtime, caller), str(case_id), body.goals))


@router.post("/cases/{case_id}/goals/{goal_id}/outcome", response_model=Recorded)
async def post_goal_outcome(
    case_id: UUID, goal_id: UUID, body: OutcomeBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Record how far a goal was met; only at evaluation."""
    event = await cases.evaluate_goal(
        _desk(runtime, caller), str(case_id), str(goal_id), body.outcome, body.note
    )
    return _recorded(event)


@router.post("/cases/{case_id}/conferences", response_model=Recorded)
async def post_conference(
    case_id: UUID, body: ConferenceBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Record a case conference (个案会商) with other agencies."""
    event = await cases.hold_conference(
        _desk(runtime, caller), str(case_id), body.held_on, body.agencies, body.decisions
    )
    return _recorded(event)


@router.post("/cases/{case_id}/risk", response_model=Recorded)
async def post_risk(
    case_id: UUID, body: RiskBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Change the case's risk level, with the reason; the person's visits follow it."""
    desk = _desk(runtime, caller)
    return _recorded(await cases.change_risk(desk, str(case_id), body.risk_level, body.reason))


@router.post("/cases/{case_id}/assignment", response_model=Recorded)
async def post_assignment(
    case_id: UUID, body: AssignmentBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Hand the case to another responsible worker."""
    return _recorded(await cases.reassign(_desk(runtime, caller), str(case_id), body.social_worker))


@router.post("/cases/{case_id}/closing", response_model=Recorded)
async def post_closing(
    case_id: UUID, body: ClosingBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Close the case (结案) from any stage with a reason, and the satisfaction survey.
    ``goals_met`` needs every goal evaluated as achieved."""
    closing = Closing(body.reason, body.note, body.satisfaction, body.satisfaction_comment)
    return _recorded(await cases.close_case(_desk(runtime, caller), str(case_id), closing))


@router.post("/cases/{case_id}/reopening", response_model=Recorded)
async def post_reopening(
    case_id: UUID, body: ReopeningBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Reopen a closed case; it returns to assessment."""
    return _recorded(await cases.reopen_case(_desk(runtime, caller), str(case_id), body.note))
