import pytest
from hypothesis import given
from hypothesis import strategies as st

from wushe.intake.domain.identity import (
    check_character,
    id_number_hash,
    mask_id_number,
    validate_id_number,
)


def test_known_numbers_validate() -> None:
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    assert validate_id_number("42070419500312002X") == "42070419500312002X"


@pytest.mark.parametrize(
    "number,reason",
    [("42070419500312002", "18 characters"), ("4207041950031200A5", "character 17"),
     ("420704195003120025", "check character")],
)  # fmt: skip
def test_wrong_numbers_say_why(number: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_id_number(number)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_17_digits_with_their_check_character_validate(first_17: str) -> None:
    number = first_17 + check_character(first_17)
    assert validate_id_number(number) == number


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16))
def test_a_single_changed_digit_is_caught(first_17: str, position: int) -> None:
    number = first_17 + check_character(first_17)
    changed = str((int(number[position]) + 1) % 10)
    corrupted = number[:position] + changed + number[position + 1 :]
    with pytest.raises(ValueError):
        validate_id_number(corrupted)


def test_hash_is_keyed_and_mask_hides_the_middle() -> None:
    number = "42070419500312002X"
    assert id_number_hash(number, "a") != id_number_hash(number, "b")
    assert number not in id_number_hash(number, "a")
    assert mask_id_number(number) == "4207**********002X"
