"""The standard case process (个案服务流程) of Jiangxi's guidelines: which moves between
stages are allowed and what each needs.

接案 intake → 预估 assessment → 制定计划 planning → 介入 intervention → 评估 evaluation →
结案 closed. A case moves forward one stage at a time; from evaluation it goes back to
planning or intervention when a goal was not met; it may be closed from any stage with
a reason, and a closed case reopened returns to assessment.
"""

from collections.abc import Collection, Iterable

from wushe.shared.events.cases import (
    CASE_KIND_NAMES,
    CaseKind,
    ClosingReason,
    GoalOutcome,
    Stage,
)
from wushe.shared.events.names import name_in

STAGE_NAMES: dict[Stage, str] = {
    Stage.INTAKE: "接案",
    Stage.ASSESSMENT: "预估",
    Stage.PLANNING: "制定计划",
    Stage.INTERVENTION: "介入",
    Stage.EVALUATION: "评估",
    Stage.CLOSED: "结案",
}
OPEN_STAGES = tuple(stage for stage in Stage if stage is not Stage.CLOSED)
FORWARD: dict[Stage, Stage] = {
    Stage.INTAKE: Stage.ASSESSMENT,
    Stage.ASSESSMENT: Stage.PLANNING,
    Stage.PLANNING: Stage.INTERVENTION,
    Stage.INTERVENTION: Stage.EVALUATION,
}
BACK_FROM_EVALUATION = frozenset({Stage.PLANNING, Stage.INTERVENTION})

# Every allowed move, closing and reopening included.
TRANSITIONS: frozenset[tuple[Stage, Stage]] = frozenset(
    {*FORWARD.items()}
    | {(Stage.EVALUATION, back) for back in BACK_FROM_EVALUATION}
    | {(stage, Stage.CLOSED) for stage in OPEN_STAGES}
    | {(Stage.CLOSED, Stage.ASSESSMENT)}
)


class CaseRuleBroken(ValueError):
    """What the case process does not allow; ``field`` names what to correct."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _named(stage: Stage) -> str:
    return f"{stage.value} ({STAGE_NAMES[stage]})"


def check_move(current: Stage, target: Stage) -> None:
    """Whether the process allows going from ``current`` to ``target`` at all."""
    if (current, target) not in TRANSITIONS:
        allowed = sorted(_named(to) for came, to in TRANSITIONS if came == current)
        raise CaseRuleBroken(
            f"a case at {_named(current)} cannot move to {_named(target)}; "
            f"it can move to: {', '.join(allowed)}",
            field="to_stage",
        )


def check_transition(
    current: Stage, target: Stage, goals: int, outcomes: Iterable[GoalOutcome | None]
) -> None:
    """A move between open stages: forward one, or back from evaluation when a goal was
    not met. Leaving planning needs goals; closing and reopening have their own checks."""
    if target is Stage.CLOSED:
        raise CaseRuleBroken("a case is closed with a closing reason, not moved", field="to_stage")
    if current is Stage.CLOSED:
        raise CaseRuleBroken("a closed case is reopened, not moved", field="to_stage")
    check_move(current, target)
    if current is Stage.PLANNING and goals == 0:
        raise CaseRuleBroken("set the plan's goals before intervening", field="goals")
    if current is Stage.EVALUATION and not any(
        outcome in (GoalOutcome.PARTLY, GoalOutcome.NOT_ACHIEVED) for outcome in outcomes
    ):
        raise CaseRuleBroken(
            "a case goes back from evaluation only when a goal was evaluated as not met",
            field="goals",
        )


def check_closing(
    current: Stage, reason: ClosingReason, outcomes: Collection[GoalOutcome | None]
) -> None:
    """Closing is allowed from any open stage; "goals met" only after evaluating every
    goal as achieved."""
    if current is Stage.CLOSED:
        raise CaseRuleBroken("the case is already closed", field="stage")
    check_move(current, Stage.CLOSED)
    if reason is ClosingReason.GOALS_MET and (
        current is not Stage.EVALUATION
        or not outcomes
        or any(outcome is not GoalOutcome.ACHIEVED for outcome in outcomes)
    ):
        raise CaseRuleBroken(
            "goals_met needs the case at evaluation with every goal evaluated as achieved",
            field="reason",
        )


def check_reopening(current: Stage) -> Stage:
    """The stage a reopened case returns to."""
    if current is not Stage.CLOSED:
        raise CaseRuleBroken(f"the case is open, at {_named(current)}", field="stage")
    check_move(current, Stage.ASSESSMENT)
    return Stage.ASSESSMENT


def check_open(current: Stage, what: str) -> None:
    """Goals, conferences, risk and assignment change on open cases only."""
    if current is Stage.CLOSED:
        raise CaseRuleBroken(f"the case is closed; reopen it to {what}", field="stage")


def check_goals_settable(current: Stage) -> None:
    if current is not Stage.PLANNING:
        raise CaseRuleBroken(
            f"goals are set while planning; the case is at {_named(current)}", field="stage"
        )


def check_goal_evaluable(current: Stage) -> None:
    if current is not Stage.EVALUATION:
        raise CaseRuleBroken(
            f"goals are evaluated at evaluation; the case is at {_named(current)}", field="stage"
        )


def check_no_open_case_of(kind: CaseKind, open_kinds: Collection[str]) -> None:
    """A person has at most one open case of each kind."""
    if kind in open_kinds:
        raise CaseRuleBroken(
            f"the person already has an open {kind.value} ({name_in(CASE_KIND_NAMES, kind)}) case",
            field="kind",
        )


def check_risk_change(current: str, wanted: str) -> None:
    if current == wanted:
        raise CaseRuleBroken(f"the case's risk is already {wanted}", field="risk_level")


def check_reassignment(current: str, wanted: str) -> None:
    if current == wanted:
        raise CaseRuleBroken(f"{wanted} is already responsible for the case", field="social_worker")
