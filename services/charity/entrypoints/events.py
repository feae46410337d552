"""Charity's event handlers: what it follows of the other services and of fundraising
platforms."""

from wushe.charity.entrypoints.donation_events import register_donation_handlers
from wushe.charity.entrypoints.time_bank_events import register_time_bank_handlers
from wushe.shared.runtime import ServiceRuntime


def register_handlers(runtime: ServiceRuntime) -> None:
    register_donation_handlers(runtime)
    register_time_bank_handlers(runtime)
