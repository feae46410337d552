"""Timestamps read back from the database, made timezone-aware.

SQLite hands back naive datetimes for ``DateTime(timezone=True)`` columns; every value
was stored as UTC, so it is UTC again on the way out, as PostgreSQL returns it.
"""

from datetime import UTC, datetime
from typing import overload


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
