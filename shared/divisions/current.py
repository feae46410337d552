"""The divisions in force: NBS statistical division codes, shipped with the package.

Codes are 6 digits for a province (420000), city (420700) or county (420704), 9 for a
township and 12 for a village. The data file is built by ``tools/build_divisions.py``,
which says where it comes from and how to regenerate it. It is read once, on first use;
validation reads only the codes, and village names are read the first time one is asked.
"""

import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATASET = "NBS 2023 (2023-06-30)"
DATA_FILE = Path(__file__).with_name("divisions-2023.tsv.xz")

Level = Literal["province", "city", "county", "township", "village"]

_SUFFIX = 3  # a village code is its township's 9 digits and 3 of its own


@dataclass(frozen=True)
class _Index:
    provinces: dict[str, str]  # "42" → 湖北省
    cities: dict[str, str]  # "4207" → 鄂州市
    counties: dict[str, str]  # "420704" → 鄂城区
    townships: dict[str, str]  # "420704001" → 凤凰街道
    # One string per township instead of 620k code strings: "002003004…"
    villages: dict[str, str]


@cache
def _index() -> _Index:
    by_length: dict[int, dict[str, str]] = {2: {}, 4: {}, 6: {}, 9: {}}
    villages: dict[str, str] = {}
    with lzma.open(DATA_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line == "\n":
                break
            code, name, *suffixes = line.rstrip("\n").split("\t")
            by_length[len(code)][code] = name
            if suffixes:
                villages[code] = suffixes[0]
    return _Index(by_length[2], by_length[4], by_length[6], by_length[9], villages)


@cache
def _village_names() -> dict[str, str]:
    names: dict[str, str] = {}
    with lzma.open(DATA_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line == "\n":
                break
        for line in lines:
            township, joined = line.rstrip("\n").split("\t")
            names[township] = joined
    return names


def is_current(code: str) -> bool:
    """Whether a 6, 9 or 12-digit code is a division in force (national code excluded)."""
    index = _index()
    if len(code) == 6:
        if code[2:] == "0000":
            return code[:2] in index.provinces
        return code in index.counties or (code[4:] == "00" and code[:4] in index.cities)
    if len(code) == 9:
        return code in index.townships
    if len(code) == 12:
        return _village_position(code) is not None
    return False


def name_of(code: str) -> str | None:
    """Full name from the province down, "湖北省鄂州市鄂城区", or None if not in force."""
    if not is_current(code):
        return None
    index = _index()
    names = [
        index.provinces[code[:2]],
        index.cities.get(code[:4], ""),
        index.counties.get(code[:6], ""),
    ]
    if len(code) >= 9:
        names.append(index.townships[code[:9]])
    if len(code) == 12:
        names.append(_village_name(code))
    path: list[str] = []
    for name in names:
        # 东莞市 is both a city and its own county: say it once.
        if name and not _is_grouping(name) and (not path or path[-1] != name):
            path.append(name)
    return "".join(path)


def current_codes(level: Level, prefix: str = "") -> Iterator[str]:
    """Every code in force at one level, in code order, optionally inside a region."""
    index = _index()
    codes: Iterator[str]
    if level == "province":
        codes = (province + "0000" for province in index.provinces)
    elif level == "city":
        codes = (city + "00" for city in index.cities)
    elif level == "county":
        codes = iter(index.counties)
    elif level == "township":
        codes = iter(index.townships)
    else:
        codes = (
            township + packed[at : at + _SUFFIX]
            for township, packed in index.villages.items()
            if township.startswith(prefix[:9])
            for at in range(0, len(packed), _SUFFIX)
        )
    return (code for code in codes if code.startswith(prefix))


def _village_position(code: str) -> int | None:
    packed = _index().villages.get(code[:9], "")
    suffix = code[9:]
    at = packed.find(suffix)
    # "001002" holds "010" at offset 2, which is no village: a match must start a suffix.
    while at != -1 and at % _SUFFIX:
        at = packed.find(suffix, at + 1)
    return None if at == -1 else at // _SUFFIX


def _village_name(code: str) -> str:
    position = _village_position(code)
    if position is None:
        raise KeyError(code)
    return _village_names()[code[:9]].split("|")[position]


def _is_grouping(name: str) -> bool:
    # NBS lists a municipality's districts (市辖区), its counties (县) and a province's
    # directly administered county-level cities as cities; these are no place names.
    return name in ("市辖区", "县") or name.endswith("直辖县级行政区划")
