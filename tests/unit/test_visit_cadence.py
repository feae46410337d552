"""Visit cadence: every group intake knows has a rule, risk shortens the interval, the
most specific region's rule wins, and a person is visited as often as their most
demanding group asks. The escalation chain rises one level per step."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wushe.ledger.domain.escalation import CHAIN, EscalationLevel, EscalationPolicy, level_of
from wushe.ledger.domain.visit_cadence import (
    CRITICAL_MAX_INTERVAL_DAYS,
    GROUP_INTERVAL_DAYS,
    RiskLevel,
    VisitRule,
    visit_interval,
)
from wushe.shared.events.groups import TargetGroup

VILLAGE = "420704001003"


def test_every_group_intake_knows_has_a_rule_and_no_other() -> None:
    assert set(GROUP_INTERVAL_DAYS) == {group.value for group in TargetGroup}


def test_the_texts_examples() -> None:
    assert visit_interval(["elderly_living_alone"], VILLAGE) == 7
    assert visit_interval(["child_left_behind"], VILLAGE) == 30
    assert visit_interval(["child_in_difficulty"], VILLAGE) == 14


def test_no_groups_means_no_visit_plan_and_unknown_groups_are_visited_monthly() -> None:
    assert visit_interval([], VILLAGE) is None
    assert visit_interval(["a_group_added_later"], VILLAGE) == 30


@given(st.sampled_from(sorted(GROUP_INTERVAL_DAYS)))
def test_higher_risk_never_means_fewer_visits(group: str) -> None:
    intervals = [visit_interval([group], VILLAGE, risk) for risk in (None, *RiskLevel)]
    assert intervals == sorted(intervals, key=lambda days: -(days or 0))
    assert visit_interval([group], VILLAGE, RiskLevel.HIGH) == max(
        1, GROUP_INTERVAL_DAYS[group] // 2
    )
    assert visit_interval([group], VILLAGE, RiskLevel.CRITICAL) == min(
        GROUP_INTERVAL_DAYS[group], CRITICAL_MAX_INTERVAL_DAYS
    )


@given(st.lists(st.sampled_from(sorted(GROUP_INTERVAL_DAYS)), min_size=1, max_size=5))
def test_the_shortest_interval_among_the_groups(groups: list[str]) -> None:
    assert visit_interval(groups, VILLAGE) == min(GROUP_INTERVAL_DAYS[group] for group in groups)


def test_the_most_specific_region_rule_wins() -> None:
    rules = [
        VisitRule("42", "child_left_behind", 21),
        VisitRule("4207", "child_left_behind", 10),
        VisitRule("420704001", "child_left_behind", 20),
        VisitRule("420702", "child_left_behind", 2),
    ]
    assert visit_interval(["child_left_behind"], VILLAGE, rules=rules) == 20
    assert visit_interval(["child_left_behind"], "420704002001", rules=rules) == 10
    assert visit_interval(["child_left_behind"], "421100", rules=rules) == 21
    assert visit_interval(["child_left_behind"], "110101", rules=rules) == 30
    assert visit_interval(["elderly_living_alone"], VILLAGE, rules=rules) == 7


def test_a_rule_for_one_risk_level_is_taken_as_it_is() -> None:
    rules = [
        VisitRule("4207", "disabled", 20),
        VisitRule("4207", "disabled", 5, RiskLevel.HIGH),
    ]
    assert visit_interval(["disabled"], VILLAGE, RiskLevel.HIGH, rules) == 5
    assert visit_interval(["disabled"], VILLAGE, RiskLevel.LOW, rules) == 20
    assert visit_interval(["disabled"], VILLAGE, RiskLevel.CRITICAL, rules) == 3


def test_a_region_may_visit_less_often_than_the_default() -> None:
    rules = [VisitRule("420704", "elderly_living_alone", 10)]
    assert visit_interval(["elderly_living_alone"], VILLAGE, rules=rules) == 10


def test_the_chain_in_order() -> None:
    assert CHAIN == (
        EscalationLevel.VOLUNTEER_TEAM, EscalationLevel.COMMUNITY,
        EscalationLevel.STATION, EscalationLevel.STREET_OFFICE,
    )  # fmt: skip
    assert [level_of(rank) for rank in (1, 2, 3, 4)] == list(CHAIN)


@pytest.mark.parametrize(
    ("days_late", "rank"),
    [(-3, 0), (0, 0), (1, 1), (6, 1), (7, 2), (13, 2), (14, 3), (21, 4), (400, 4)],
)
def test_one_level_per_further_interval(days_late: int, rank: int) -> None:
    due = date(2026, 11, 9)
    assert EscalationPolicy().rank_due(due, due + timedelta(days=days_late), 7) == rank


def test_one_level_per_configured_number_of_days() -> None:
    due = date(2026, 11, 9)
    policy = EscalationPolicy(step_days=3)
    assert [policy.rank_due(due, due + timedelta(days=d), 30) for d in (1, 2, 3, 6, 9)] == [
        1,
        1,
        2,
        3,
        4,
    ]
    with pytest.raises(ValueError, match="at least one day"):
        EscalationPolicy(step_days=0)
