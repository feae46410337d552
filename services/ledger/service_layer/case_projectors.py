"""Projectors of the ``case.*`` events: the case's rows and its entries on the person's
timeline. Sealed text is stored as the event carried it; the timeline only says
whether there was any."""

from wushe.ledger.adapters.case_orm import (
    CaseConferenceRecord,
    CaseGoalRecord,
    CaseRecord,
    CaseRiskChangeRecord,
    CaseStepRecord,
)
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.ledger.service_layer.timeline import add_entry
from wushe.shared.events.cases import (
    CaseAdvanced,
    CaseClosed,
    CaseConferenceHeld,
    CaseGoalEvaluated,
    CaseGoalsSet,
    CaseOpened,
    CaseReassigned,
    CaseReopened,
    CaseRiskChanged,
    Stage,
)


def _on_timeline(applying: Applying, sealed: tuple[str, ...] = ()) -> None:
    """The event on its person's timeline, each sealed field replaced by whether it was
    filled in."""
    payload = applying.event.payload
    details = {key: value for key, value in payload.items() if key not in sealed}
    details.update(
        {f"{key.removesuffix('_sealed')}_recorded": bool(payload.get(key)) for key in sealed}
    )
    add_entry(applying, str(payload["person_id"]), details)


def _step(
    applying: Applying,
    case_id: str,
    from_stage: Stage | None,
    to_stage: Stage,
    note: str | None,
    closed: CaseClosed | None = None,
) -> None:
    event = applying.event
    survey = closed.satisfaction if closed else None
    applying.session.add(
        CaseStepRecord(
            event_id=event.id_text, case_id=case_id,
            from_stage=from_stage.value if from_stage else None, to_stage=to_stage.value,
            occurred_at=event.occurred_at, actor=event.actor, note=note,
            closing_reason=closed.reason.value if closed else None,
            satisfaction=survey.model_dump() if survey else None,
            satisfaction_comment=closed.satisfaction_comment_sealed if closed else None,
        )
    )  # fmt: skip


async def _case(applying: Applying, case_id: str) -> CaseRecord:
    record = await applying.session.get(CaseRecord, case_id)
    if record is None:
        raise LookupError(f"{applying.event.type} {applying.event.id} names unknown case {case_id}")
    return record


@projection.on("case.opened")
async def open_case(applying: Applying) -> None:
    opened = CaseOpened.model_validate(applying.event.payload)
    case_id, event = str(opened.case_id), applying.event
    applying.session.add(
        CaseRecord(
            id=case_id, person_id=str(opened.person_id), kind=opened.kind.value,
            open_kind=opened.kind.value, stage=Stage.INTAKE.value,
            risk_level=opened.risk_level.value, social_worker=opened.social_worker,
            region_code=event.region_code, opened_at=event.occurred_at, opened_by=event.actor,
        )
    )  # fmt: skip
    _step(applying, case_id, None, Stage.INTAKE, opened.note_sealed)
    _on_timeline(applying, ("note_sealed",))
    await applying.session.flush()


@projection.on("case.advanced")
async def advance_case(applying: Applying) -> None:
    advanced = CaseAdvanced.model_validate(applying.event.payload)
    record = await _case(applying, str(advanced.case_id))
    record.stage = advanced.to_stage.value
    _step(applying, record.id, advanced.from_stage, advanced.to_stage, advanced.note_sealed)
    _on_timeline(applying, ("note_sealed",))


@projection.on("case.risk_changed")
async def change_risk(applying: Applying) -> None:
    changed = CaseRiskChanged.model_validate(applying.event.payload)
    record = await _case(applying, str(changed.case_id))
    record.risk_level = changed.to_level.value
    event = applying.event
    applying.session.add(
        CaseRiskChangeRecord(
            event_id=event.id_text, case_id=record.id, from_level=changed.from_level.value,
            to_level=changed.to_level.value, reason=changed.reason_sealed,
            changed_at=event.occurred_at, changed_by=event.actor,
        )
    )  # fmt: skip
    _on_timeline(applying, ("reason_sealed",))
    await applying.session.flush()


@projection.on("case.goals_set")
async def set_goals(applying: Applying) -> None:
    goals = CaseGoalsSet.model_validate(applying.event.payload)
    event = applying.event
    for goal in goals.goals:
        applying.session.add(
            CaseGoalRecord(
                id=str(goal.goal_id), case_id=str(goals.case_id),
                description=goal.description_sealed, set_at=event.occurred_at,
                set_by=event.actor,
            )
        )  # fmt: skip
    details = {
        "case_id": str(goals.case_id),
        "person_id": str(goals.person_id),
        "goal_ids": [str(goal.goal_id) for goal in goals.goals],
    }
    add_entry(applying, str(goals.person_id), details)


@projection.on("case.goal_evaluated")
async def evaluate_goal(applying: Applying) -> None:
    evaluated = CaseGoalEvaluated.model_validate(applying.event.payload)
    goal = await applying.session.get(CaseGoalRecord, str(evaluated.goal_id))
    if goal is None:
        raise LookupError(f"case.goal_evaluated names unknown goal {evaluated.goal_id}")
    goal.outcome = evaluated.outcome.value
    goal.outcome_note = evaluated.note_sealed
    goal.evaluated_at = applying.event.occurred_at
    goal.evaluated_by = applying.event.actor
    _on_timeline(applying, ("note_sealed",))


@projection.on("case.conference_held")
async def keep_conference(applying: Applying) -> None:
    held = CaseConferenceHeld.model_validate(applying.event.payload)
    event = applying.event
    applying.session.add(
        CaseConferenceRecord(
            id=str(held.conference_id), case_id=str(held.case_id), held_on=held.held_on,
            agencies=[agency.model_dump(mode="json") for agency in held.agencies],
            decisions=held.decisions_sealed, recorded_at=event.occurred_at,
            recorded_by=event.actor,
        )
    )  # fmt: skip
    _on_timeline(applying, ("decisions_sealed",))


@projection.on("case.closed")
async def close_case(applying: Applying) -> None:
    closed = CaseClosed.model_validate(applying.event.payload)
    record = await _case(applying, str(closed.case_id))
    record.stage = Stage.CLOSED.value
    record.open_kind = None
    record.closed_at = applying.event.occurred_at
    record.closing_reason = closed.reason.value
    _step(applying, record.id, closed.from_stage, Stage.CLOSED, closed.note_sealed, closed)
    _on_timeline(applying, ("note_sealed", "satisfaction_comment_sealed"))
    await applying.session.flush()


@projection.on("case.reopened")
async def reopen_case(applying: Applying) -> None:
    reopened = CaseReopened.model_validate(applying.event.payload)
    record = await _case(applying, str(reopened.case_id))
    record.stage = Stage.ASSESSMENT.value
    record.open_kind = record.kind
    record.closed_at = None
    record.closing_reason = None
    _step(applying, record.id, Stage.CLOSED, Stage.ASSESSMENT, reopened.note_sealed)
    _on_timeline(applying, ("note_sealed",))
    await applying.session.flush()


@projection.on("case.reassigned")
async def reassign_case(applying: Applying) -> None:
    reassigned = CaseReassigned.model_validate(applying.event.payload)
    record = await _case(applying, str(reassigned.case_id))
    record.social_worker = reassigned.to_worker
    _on_timeline(applying)
