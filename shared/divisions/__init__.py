"""China's administrative divisions: the codes in force, and every county code since 1980."""

from wushe.shared.divisions.current import DATASET, Level, current_codes, is_current, name_of
from wushe.shared.divisions.history import (
    CountyEra,
    county_history,
    has_existed,
    historical_codes,
)

__all__ = [
    "DATASET",
    "CountyEra",
    "Level",
    "county_history",
    "current_codes",
    "has_existed",
    "historical_codes",
    "is_current",
    "name_of",
]
