import pytest

from wushe.shared.regions import InvalidRegionCode, covers, scope_prefix, validate_region_code


@pytest.mark.parametrize(
    "code",
    ["000000", "420000", "420700", "420704", "420704001", "420704001002", "441900003",
     "810000"],
)  # fmt: skip
def test_valid_codes(code: str) -> None:
    assert validate_region_code(code) == code


@pytest.mark.parametrize(
    "code,reason",
    [("99", "6, 9 or 12"), ("990000", "province"), ("42070a", "6, 9 or 12"),
     ("420007", "city"), ("420700001", "county"), ("4207041", "6, 9 or 12"),
     ("420799", "not a current division code, per NBS 2023"),
     ("420704999", "not a current division code"), ("420704001001", "不是现行行政区划代码"),
     ("810100", "not a current division code")],
)  # fmt: skip
def test_invalid_codes_say_why(code: str, reason: str) -> None:
    with pytest.raises(InvalidRegionCode, match=reason):
        validate_region_code(code)


@pytest.mark.parametrize(
    "scope,code,expected",
    [("420000", "420704001", True), ("420700", "420704", True), ("420704", "420702", False),
     ("420704", "420704001002", True), ("420704001", "420704002", False),
     ("000000", "110101", True), ("110000", "420704", False)],
)  # fmt: skip
def test_scope_follows_the_hierarchy(scope: str, code: str, expected: bool) -> None:
    assert covers(scope, code) is expected


def test_scope_prefixes() -> None:
    assert [scope_prefix(c) for c in ("420000", "420700", "420704")] == ["42", "4207", "420704"]
