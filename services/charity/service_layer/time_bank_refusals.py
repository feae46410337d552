"""Why the time bank refuses a command: the status, the field to correct and why."""


class TimeBankRefused(Exception):
    """A command the time bank will not carry out; ``field`` names what to correct."""

    status_code = 409

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class TimeBankNotFound(TimeBankRefused):
    status_code = 404


class TimeBankForbidden(TimeBankRefused):
    status_code = 403


class TimeBankInvalid(TimeBankRefused):
    """Well-formed input that asks for something impossible."""

    status_code = 422
