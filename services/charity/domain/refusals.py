"""Why charity refuses a command: the platform's refusals (``shared/refusals.py``) and
charity's own. Every part of charity (books, goods, needs and offers, the time bank)
refuses with these, so one mapping (``entrypoints/refusal_route.py``) turns them into
HTTP answers."""

from wushe.shared.auth import Caller
from wushe.shared.refusals import Forbidden, Invalid, NotFound, Refused

__all__ = ["Forbidden", "Invalid", "NotFound", "Overdrawn", "Refused", "require_within"]


class Overdrawn(Refused):
    """Posting would take a holding account below zero."""


def require_within(caller: Caller, region_code: str, *, field: str = "region_code") -> None:
    """Refuse, naming ``field``, what lies outside the caller's region."""
    if not caller.may_access(region_code):
        raise Forbidden(
            f"{field} {region_code} is outside your region {caller.region} (不在您的辖区)",
            field=field,
        )
