"""Charity's handlers for the ledger's events that credit volunteers' hours."""

from wushe.charity.service_layer.time_bank_credits import TimeBankSettings, credit_recorded_work
from wushe.shared.events import EventEnvelope
from wushe.shared.runtime import ServiceRuntime

CREDITED_WORK = ("service.recorded", "visit.recorded")


def register_time_bank_handlers(runtime: ServiceRuntime) -> None:
    default_minutes = TimeBankSettings().default_credit_minutes

    async def credit(event: EventEnvelope) -> None:
        await credit_recorded_work(runtime.unit_of_work(), runtime.producer, event, default_minutes)

    for event_type in CREDITED_WORK:
        runtime.dispatcher.on(event_type)(credit)
