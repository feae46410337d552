"""Goods leave a stock at its average value, in whole fen: whatever the order of
receipts and distributions, the value given out never exceeds what came in, and all of
it has gone when the last unit has."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wushe.charity.domain.goods_stock import reversal_value_change, value_leaving

receipts = st.tuples(st.integers(1, 1_000), st.integers(0, 10_000_000))
moves = st.lists(st.one_of(receipts, st.integers(1, 1_000)), min_size=1, max_size=60)


@given(moves)
def test_value_given_out_matches_value_received_exactly(sequence: list[object]) -> None:
    quantity = value = received = given_out = 0
    for move in sequence:
        if isinstance(move, tuple):
            quantity, value, received = quantity + move[0], value + move[1], received + move[1]
            continue
        assert isinstance(move, int)
        if move > quantity:
            continue  # refused: not in stock
        leaving = value_leaving(move, quantity, value)
        assert 0 <= leaving <= value
        quantity, value, given_out = quantity - move, value - leaving, given_out + leaving
        assert value >= 0 and (quantity > 0 or value == 0)
    assert given_out + value == received


def test_a_share_leaves_at_the_average_rounded_down_and_the_last_takes_the_rest() -> None:
    assert value_leaving(1, 3, 100) == 33
    assert value_leaving(2, 2, 67) == 67
    with pytest.raises(ValueError):
        value_leaving(4, 3, 100)


def test_reversing_a_receipt_never_leaves_value_in_an_empty_stock_nor_takes_too_much() -> None:
    # 10 units worth nothing and 10 worth 1,000 received; 10 given out at the average (500).
    assert reversal_value_change(0, 0, 500) == -500, "the stock is empty: its value goes too"
    assert reversal_value_change(1_000, 10, 500) == -500, "no more than the stock holds"
    assert reversal_value_change(300, 10, 500) == -300
    assert reversal_value_change(-250, 12, 500) == 250, "a distribution's value comes back"
