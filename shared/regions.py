"""Administrative division codes (行政区划代码) and the hierarchy that scopes access.

Codes are 6 digits down to county (GB/T 2260), 9 to township and 12 to village
(statistical codes). A code's *scope prefix* drops the trailing zero groups that mean
"the whole of": 420000 → 42 (Hubei), 420700 → 4207 (Ezhou), 420704 → 420704. A valid
code is one in force in the shipped divisions data (``wushe.shared.divisions``).
"""

from typing import Annotated

from pydantic import AfterValidator

from wushe.shared.divisions import DATASET, county_history, is_current

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区", "71": "台湾省",
    "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip

NATIONAL = "000000"


class InvalidRegionCode(ValueError):
    pass


def validate_region_shape(code: str) -> str:
    """Return the code if it is shaped like a division code of a real province."""
    if not isinstance(code, str) or not code.isdigit() or len(code) not in (6, 9, 12):
        raise InvalidRegionCode(
            f"{code!r} is not a division code: expected 6, 9 or 12 digits "
            "(行政区划代码应为6、9或12位数字)"
        )
    if code == NATIONAL:
        return code
    if code[:2] not in PROVINCES:
        raise InvalidRegionCode(f"{code!r}: unknown province {code[:2]} (未知的省级代码)")
    if code[2:4] == "00" and code[4:6] != "00":
        raise InvalidRegionCode(f"{code!r}: a county code needs its city digits (市级代码缺失)")
    return code


def validate_region_code(code: str) -> str:
    """Return the code if it is a division code in force, or the national code."""
    validate_region_shape(code)
    if code == NATIONAL or is_current(code):
        return code
    # Cities without counties (东莞 441900) number their townships from the city code,
    # so this shape is wrong only when the data do not list the code.
    if len(code) > 6 and code[4:6] == "00":
        raise InvalidRegionCode(
            f"{code!r}: a township code needs its county digits (乡镇级代码缺少区县级代码)"
        )
    raise InvalidRegionCode(
        f"{code!r} is not a current division code, per {DATASET}{_former_names(code)} "
        "(不是现行行政区划代码)"
    )


def _former_names(code: str) -> str:
    eras = county_history(code) if len(code) == 6 else ()
    return f"; it was {', '.join(map(str, eras))}" if eras else ""


RegionCode = Annotated[str, AfterValidator(validate_region_code)]
# What events and tokens carry: the code was checked against the divisions in force when
# it entered the platform, and must stay readable after the divisions change.
RecordedRegionCode = Annotated[str, AfterValidator(validate_region_shape)]


def scope_prefix(code: str) -> str:
    """The prefix every code inside this region starts with."""
    if code == NATIONAL:
        return ""
    if len(code) == 6:
        if code[2:] == "0000":
            return code[:2]
        if code[4:] == "00":
            return code[:4]
        return code
    return code


def covers(scope: str, code: str) -> bool:
    """Whether a caller scoped to ``scope`` may see records of region ``code``."""
    return code.startswith(scope_prefix(scope))
