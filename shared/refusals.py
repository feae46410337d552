"""Why a service refuses a command, as the client should see it: the status, the field to
correct and the reason (Chinese and English where a clerk reads it). Each service maps
them to its HTTP answers; a service adds its own kinds (charity's ``Overdrawn``)."""


class Refused(Exception):
    """A command the service will not carry out; ``field`` names what to correct."""

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
