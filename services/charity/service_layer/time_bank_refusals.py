"""Why the time bank refuses a command: the status, the field to correct and why."""

from wushe.charity.domain.goods_refusals import Refused
from wushe.shared.auth import Caller


class TimeBankRefused(Refused):
    """A command the time bank will not carry out; ``field`` names what to correct.
    A refusal of charity's goods, needs and offers, so their HTTP mapping serves it too."""

    status_code = 409

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, field=field)


class TimeBankNotFound(TimeBankRefused):
    status_code = 404


class TimeBankForbidden(TimeBankRefused):
    status_code = 403


class TimeBankInvalid(TimeBankRefused):
    """Well-formed input that asks for something impossible."""

    status_code = 422


def require_within(caller: Caller, region_code: str, *, field: str = "region_code") -> None:
    """Refuse, naming ``field``, what lies outside the caller's region."""
    if not caller.may_access(region_code):
        raise TimeBankForbidden(
            f"{field} {region_code} is outside your region {caller.region} (不在您的辖区)",
            field=field,
        )
