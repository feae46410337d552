"""The time now, as a parameter: code that acts on the time takes a ``Clock``, which tests
replace with one they move by hand."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
