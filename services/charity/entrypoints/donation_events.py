"""Charity's handlers for events about donations."""

from wushe.shared.runtime import ServiceRuntime


def register_donation_handlers(runtime: ServiceRuntime) -> None:
    pass
