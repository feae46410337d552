import pytest

from wushe.intake.domain.phone import mask_phone, normalise_phone


@pytest.mark.parametrize(
    "entered,normalised",
    [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"),
     ("027-87654321", "02787654321"), ("(0711) 3456789", "07113456789"),
     ("0086 19912345678", "19912345678")],
)  # fmt: skip
def test_valid_numbers_are_normalised(entered: str, normalised: str) -> None:
    assert normalise_phone(entered) == normalised


@pytest.mark.parametrize(
    "entered,reason",
    [("1380013800", "not a mobile number"), ("12800138000", "not a mobile number"),
     ("87654321", "area code"), ("138O0138000", "character 4")],
)  # fmt: skip
def test_invalid_numbers_say_why(entered: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_phone(entered)


def test_masking_keeps_the_ends() -> None:
    assert mask_phone("13800138000") == "138****8000"
