"""Charity's bookkeeping rules without a database: entries balance, reversals undo,
money is taken from donations oldest first, restricted money only for its purpose, and
requests name the field they get wrong."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from wushe.charity.domain.allocation import first_in_first_out
from wushe.charity.domain.disbursement import DisbursementRequest
from wushe.charity.domain.funds import FundKind, FundOpening, percent_of_goal
from wushe.charity.domain.journal import Line, UnbalancedEntry, balanced, reversing
from wushe.charity.domain.restrictions import (
    Recipient,
    Restriction,
    RestrictionKind,
    purpose_refusal,
)

ROOF = Restriction(kind=RestrictionKind.PROJECT, target="roof")


def test_an_entry_whose_lines_do_not_sum_to_zero_is_refused() -> None:
    with pytest.raises(UnbalancedEntry, match="sum to 1"):
        balanced([Line("a", 100), Line("b", -99)])
    with pytest.raises(UnbalancedEntry):
        balanced([Line("a", 0), Line("b", 0)])
    with pytest.raises(UnbalancedEntry):
        balanced([Line("a", 5)])
    assert balanced([Line("a", 100), Line("b", -60), Line("c", -40)])


@given(st.lists(st.integers(-(10**12), 10**12).filter(bool), min_size=1, max_size=8))
def test_a_reversal_undoes_any_balanced_entry(amounts: list[int]) -> None:
    assume(sum(amounts) != 0)
    lines = [Line(f"a{i}", amount) for i, amount in enumerate(amounts)]
    lines.append(Line("other", -sum(amounts)))
    undone = reversing(balanced(lines))
    assert all(a.amount_fen + b.amount_fen == 0 for a, b in zip(lines, undone, strict=True))


@given(st.lists(st.integers(0, 1_000), min_size=1, max_size=10), st.data())
def test_first_in_first_out_takes_exactly_the_amount_oldest_first(
    unspent: list[int], data: st.DataObject
) -> None:
    available = [(f"d{i}", amount) for i, amount in enumerate(unspent)]
    total = sum(unspent)
    amount = data.draw(st.integers(1, total)) if total else 0
    if not amount:
        return
    taken = first_in_first_out(available, amount)
    assert sum(a.amount_fen for a in taken) == amount
    # Every donation before the last one used is used up.
    last = int(taken[-1].donation_id[1:])
    by_id = {a.donation_id: a.amount_fen for a in taken}
    assert all(by_id.get(f"d{i}", 0) == unspent[i] for i in range(last))


def test_first_in_first_out_refuses_more_than_is_there() -> None:
    with pytest.raises(ValueError, match="30 fen"):
        first_in_first_out([("d0", 10), ("d1", 20)], 31)


@pytest.mark.parametrize(
    ("restriction", "recipient", "allowed"),
    [
        (None, Recipient(project_id="p"), True),
        (Restriction(kind=RestrictionKind.PERSON, target="x"), Recipient(person_id="x"), True),
        (Restriction(kind=RestrictionKind.PERSON, target="x"), Recipient(person_id="y"), False),
        (Restriction(kind=RestrictionKind.PERSON, target="x"), Recipient(project_id="x"), False),
        (Restriction(kind=RestrictionKind.GROUP, target="child_orphan"),
         Recipient(person_id="y", person_groups=frozenset({"child_orphan"})), True),
        (Restriction(kind=RestrictionKind.GROUP, target="child_orphan"),
         Recipient(person_id="y", person_groups=frozenset({"disabled"})), False),
        (Restriction(kind=RestrictionKind.GROUP, target="child_orphan"),
         Recipient(project_id="child_orphan"), False),
        (ROOF, Recipient(project_id="roof"), True),
        (ROOF, Recipient(project_id="well"), False),
    ],
)  # fmt: skip
def test_restricted_money_only_for_its_purpose(
    restriction: Restriction | None, recipient: Recipient, allowed: bool
) -> None:
    assert (purpose_refusal(restriction, recipient) is None) is allowed


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> set[object]:
    return {item["loc"][-1] for item in error.value.errors()}


def test_invalid_requests_name_their_field() -> None:
    with pytest.raises(ValidationError) as group:
        Restriction(kind=RestrictionKind.GROUP, target="not_a_group")
    assert "target group" in str(group.value)
    with pytest.raises(ValidationError) as goal:
        FundOpening(name="99公益日", code="NN-99", region_code="420704", kind=FundKind.CAMPAIGN)
    assert _fields(goal) == {"goal_fen"}
    with pytest.raises(ValidationError) as amount:
        DisbursementRequest(amount_fen=0, purpose="x", project_id="p")
    assert _fields(amount) == {"amount_fen"}
    with pytest.raises(ValidationError) as fractional:
        DisbursementRequest(amount_fen=1.5, purpose="x", project_id="p")  # type: ignore[arg-type]
    assert _fields(fractional) == {"amount_fen"}


def test_goal_percent_is_computed_from_whole_fen() -> None:
    assert percent_of_goal(8_900_000, 10_000_000) == 89.0
    assert percent_of_goal(1, 3) == 33.3
    assert percent_of_goal(5, None) is None
