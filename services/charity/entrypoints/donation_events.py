"""Charity's handlers for donations that online platforms report, and for the events that
tell it who is on the ledger and in which groups: whom money may be disbursed to, and
who a group earmark covers."""

from wushe.charity.service_layer.online_donations import record_online_donation
from wushe.charity.service_layer.person_events import PERSON_EVENTS, follow_person
from wushe.shared.events import EventEnvelope
from wushe.shared.runtime import ServiceRuntime

CONSUMER = "charity.persons"


def register_donation_handlers(runtime: ServiceRuntime) -> None:
    async def apply(event: EventEnvelope) -> None:
        async with runtime.unit_of_work() as uow:
            if not await uow.claim(CONSUMER, event):
                return
            await follow_person(uow.session, event)
            await uow.commit()

    async def record_online(event: EventEnvelope) -> None:
        await record_online_donation(
            runtime.unit_of_work, event, runtime.producer, runtime.settings.field_cipher()
        )

    runtime.dispatcher.on("online_donation.submitted")(record_online)
    for event_type in PERSON_EVENTS:
        runtime.dispatcher.on(event_type)(apply)
