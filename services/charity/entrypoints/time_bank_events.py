"""Charity's handlers for events about time banks."""

from wushe.shared.runtime import ServiceRuntime


def register_time_bank_handlers(runtime: ServiceRuntime) -> None:
    pass
