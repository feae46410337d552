"""The case process's rules: every pair of stages is either allowed or refused exactly as
the Jiangxi guidelines' process says, and no sequence of allowed moves skips a stage."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wushe.ledger.domain import case_process
from wushe.ledger.domain.case_process import CaseRuleBroken
from wushe.shared.events.cases import CaseKind, ClosingReason, GoalOutcome, Stage

INTAKE, ASSESSMENT, PLANNING, INTERVENTION, EVALUATION, CLOSED = (
    Stage.INTAKE, Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION, Stage.EVALUATION,
    Stage.CLOSED,
)  # fmt: skip
# Written out by hand from the guidelines rather than derived from the table under test.
ALLOWED = {
    (INTAKE, ASSESSMENT), (ASSESSMENT, PLANNING), (PLANNING, INTERVENTION),
    (INTERVENTION, EVALUATION),
    (EVALUATION, PLANNING), (EVALUATION, INTERVENTION),
    (INTAKE, CLOSED), (ASSESSMENT, CLOSED), (PLANNING, CLOSED), (INTERVENTION, CLOSED),
    (EVALUATION, CLOSED),
    (CLOSED, ASSESSMENT),
}  # fmt: skip
EVERY_PAIR = list(itertools.product(Stage, Stage))
NOT_MET = [GoalOutcome.ACHIEVED, GoalOutcome.NOT_ACHIEVED]


def refused_field(call: object, *args: object) -> str:
    assert callable(call)
    with pytest.raises(CaseRuleBroken) as refused:
        call(*args)
    return refused.value.field


@pytest.mark.parametrize(("current", "target"), EVERY_PAIR)
def test_the_table_allows_exactly_the_guidelines_moves(current: Stage, target: Stage) -> None:
    if (current, target) in ALLOWED:
        case_process.check_move(current, target)
    else:
        assert refused_field(case_process.check_move, current, target) == "to_stage"


@pytest.mark.parametrize(("current", "target"), EVERY_PAIR)
def test_a_transition_between_open_stages(current: Stage, target: Stage) -> None:
    """With goals set and one not met, every allowed move between open stages goes
    through; closing and reopening never go through as a transition."""
    goals_ready = (2, NOT_MET)
    if CLOSED not in (current, target) and (current, target) in ALLOWED:
        case_process.check_transition(current, target, *goals_ready)
    else:
        field = refused_field(case_process.check_transition, current, target, *goals_ready)
        assert field == "to_stage"


def test_leaving_planning_needs_goals() -> None:
    assert refused_field(case_process.check_transition, PLANNING, INTERVENTION, 0, []) == "goals"
    case_process.check_transition(PLANNING, INTERVENTION, 1, [None])


@pytest.mark.parametrize("back", [PLANNING, INTERVENTION])
@pytest.mark.parametrize(
    ("outcomes", "allowed"),
    [
        ([GoalOutcome.ACHIEVED, GoalOutcome.ACHIEVED], False),
        ([None], False),
        ([GoalOutcome.ACHIEVED, GoalOutcome.PARTLY], True),
        ([GoalOutcome.NOT_ACHIEVED], True),
    ],
)
def test_going_back_from_evaluation_only_when_a_goal_was_not_met(
    back: Stage, outcomes: list[GoalOutcome | None], allowed: bool
) -> None:
    if allowed:
        case_process.check_transition(EVALUATION, back, len(outcomes), outcomes)
    else:
        field = refused_field(case_process.check_transition, EVALUATION, back, 1, outcomes)
        assert field == "goals"


@pytest.mark.parametrize("current", list(Stage))
@pytest.mark.parametrize("reason", [r for r in ClosingReason if r is not ClosingReason.GOALS_MET])
def test_closing_from_any_open_stage(current: Stage, reason: ClosingReason) -> None:
    if current is CLOSED:
        assert refused_field(case_process.check_closing, current, reason, []) == "stage"
    else:
        case_process.check_closing(current, reason, [])


@pytest.mark.parametrize("current", list(Stage))
@pytest.mark.parametrize(
    "outcomes",
    [[], [GoalOutcome.ACHIEVED], [GoalOutcome.ACHIEVED, GoalOutcome.PARTLY], [None]],
)
def test_goals_met_only_after_every_goal_was_achieved(
    current: Stage, outcomes: list[GoalOutcome | None]
) -> None:
    met = current is EVALUATION and outcomes == [GoalOutcome.ACHIEVED]
    if met:
        case_process.check_closing(current, ClosingReason.GOALS_MET, outcomes)
    else:
        expected = "stage" if current is CLOSED else "reason"
        check = case_process.check_closing
        assert refused_field(check, current, ClosingReason.GOALS_MET, outcomes) == expected


@pytest.mark.parametrize("current", list(Stage))
def test_reopening_returns_a_closed_case_to_assessment(current: Stage) -> None:
    if current is CLOSED:
        assert case_process.check_reopening(current) is ASSESSMENT
    else:
        assert refused_field(case_process.check_reopening, current) == "stage"


@pytest.mark.parametrize("current", list(Stage))
def test_goals_are_set_while_planning_and_evaluated_at_evaluation(current: Stage) -> None:
    for check, stage in (
        (case_process.check_goals_settable, PLANNING),
        (case_process.check_goal_evaluable, EVALUATION),
    ):
        if current is stage:
            check(current)
        else:
            assert refused_field(check, current) == "stage"


def test_one_open_case_of_a_kind() -> None:
    case_process.check_no_open_case_of(CaseKind.ELDERLY_CARE, {CaseKind.CHILD_PROTECTION.value})
    field = refused_field(
        case_process.check_no_open_case_of, CaseKind.ELDERLY_CARE, {CaseKind.ELDERLY_CARE.value}
    )
    assert field == "kind"


def test_risk_and_assignment_must_change_something() -> None:
    assert refused_field(case_process.check_risk_change, "high", "high") == "risk_level"
    case_process.check_risk_change("high", "critical")
    assert refused_field(case_process.check_reassignment, "w-1", "w-1") == "social_worker"
    case_process.check_reassignment("w-1", "w-2")


ORDER = [INTAKE, ASSESSMENT, PLANNING, INTERVENTION, EVALUATION]


@given(st.data())
def test_allowed_moves_never_skip_a_stage(data: st.DataObject) -> None:
    """Walking the process at random, every open stage is reached only after each stage
    before it since the case was opened or last reopened (which starts at assessment)."""
    stage, seen = INTAKE, {INTAKE}
    for _ in range(data.draw(st.integers(0, 40))):
        moves = sorted(to for came, to in case_process.TRANSITIONS if came == stage)
        target = data.draw(st.sampled_from(moves))
        case_process.check_move(stage, target)
        if stage is CLOSED:
            seen = {INTAKE}
        if target is not CLOSED:
            assert set(ORDER[: ORDER.index(target)]) <= seen, (stage, target, seen)
            seen.add(target)
        stage = target
