"""Why charity refuses a command, as the client should see it: the status, the field to
correct and the reason (Chinese and English where a clerk reads it).

Every part of charity (books, goods, needs and offers, the time bank) refuses with these,
so one mapping (``entrypoints/refusal_route.py``) turns them into HTTP answers."""

from wushe.shared.auth import Caller


class Refused(Exception):
    """A command charity will not carry out; ``field`` names what to correct."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(Refused):
    status_code = 404


class Forbidden(Refused):
    status_code = 403


class Invalid(Refused):
    """Well-formed input that asks for something impossible."""

    status_code = 422


class Overdrawn(Refused):
    """Posting would take a holding account below zero."""


def require_within(caller: Caller, region_code: str, *, field: str = "region_code") -> None:
    """Refuse, naming ``field``, what lies outside the caller's region."""
    if not caller.may_access(region_code):
        raise Forbidden(
            f"{field} {region_code} is outside your region {caller.region} (不在您的辖区)",
            field=field,
        )
