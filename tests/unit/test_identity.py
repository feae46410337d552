from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from wushe.intake.domain.identity import (
    InvalidIdNumber,
    Sex,
    check_character,
    id_number_hash,
    mask_id_number,
    parse_id_number,
    validate_id_number,
)
from wushe.shared.divisions import historical_codes


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


first_17_digits = st.builds(
    lambda county, born, sequence: f"{county}{born:%Y%m%d}{sequence:03d}",
    st.sampled_from(historical_codes()),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(0, 999),
)


@given(first_17_digits)
def test_every_well_formed_number_with_its_check_character_validates(first_17: str) -> None:
    number = first_17 + check_character(first_17)
    assert validate_id_number(number) == number


@given(first_17_digits, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_every_single_character_change_is_caught(
    first_17: str, position: int, replacement: str
) -> None:
    number = first_17 + check_character(first_17)
    assume(number[position] != replacement)
    corrupted = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(ValueError):
        validate_id_number(corrupted)


def test_hash_is_keyed_and_mask_hides_the_middle() -> None:
    number = "42070419500312002X"
    assert id_number_hash(number, "a") != id_number_hash(number, "b")
    assert number not in id_number_hash(number, "a")
    assert mask_id_number(number) == "420704********002X"


def test_birth_date_and_sex_come_from_the_number() -> None:
    resident = parse_id_number("42070419500312002X")
    assert resident.birth_date == date(1950, 3, 12)
    assert resident.sex is Sex.FEMALE
    assert resident.county_code == "420704"
    assert parse_id_number("110105194912310011").sex is Sex.MALE


def test_legacy_15_digit_numbers_are_converted() -> None:
    resident = parse_id_number("420704500312002")
    assert resident.number == "42070419500312002X"
    assert resident.birth_date == date(1950, 3, 12)


def test_a_county_code_that_never_existed_is_refused() -> None:
    first_17 = "42079919500312002"
    with pytest.raises(InvalidIdNumber, match="characters 1-6 \\(420799\\)"):
        parse_id_number(first_17 + check_character(first_17))
    with pytest.raises(InvalidIdNumber, match="第1至6位"):
        parse_id_number("420799500312002")


@pytest.mark.parametrize(
    "number,reason",
    [
        ("420704195002300021", "characters 7-14 \\(19500230\\) are not a real birth date"),
        ("420704209901010021", "in the future"),
        ("42070419500312002", "18 characters"),
    ],
)
def test_impossible_birth_dates_are_refused(number: str, reason: str) -> None:
    with pytest.raises(InvalidIdNumber, match=reason):
        parse_id_number(number)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)), st.integers(0, 999))
def test_any_real_birth_date_round_trips(born: date, sequence: int) -> None:
    first_17 = f"420704{born:%Y%m%d}{sequence:03d}"
    resident = parse_id_number(first_17 + check_character(first_17))
    assert resident.birth_date == born
    assert resident.sex is (Sex.MALE if sequence % 2 else Sex.FEMALE)
