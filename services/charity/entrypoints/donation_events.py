"""Charity's handlers for donations that online platforms report, and for the events that
tell it who is on the ledger and in which groups: whom money may be disbursed to, and
who a group earmark covers."""

from wushe.charity.service_layer.online_donations import record_online_donation
from wushe.charity.service_layer.persons import file_opened, groups_changed, set_merged_into
from wushe.shared.events import EventEnvelope
from wushe.shared.events.intake import (
    PersonGroupJoined,
    PersonGroupLeft,
    PersonMerged,
    PersonUnmerged,
)
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.runtime import ServiceRuntime

CONSUMER = "charity.persons"


def register_donation_handlers(runtime: ServiceRuntime) -> None:
    async def apply(event: EventEnvelope) -> None:
        async with runtime.unit_of_work() as uow:
            if not await uow.claim(CONSUMER, event):
                return
            session = uow.session
            payload = event.typed_payload()
            if isinstance(payload, LedgerFileOpened):
                await file_opened(session, str(payload.person_id), payload.region_code,
                                  payload.groups)  # fmt: skip
            elif isinstance(payload, PersonGroupJoined | PersonGroupLeft):
                await groups_changed(session, str(payload.person_id), event.region_code,
                                  payload.groups)  # fmt: skip
            elif isinstance(payload, PersonMerged):
                await set_merged_into(session, str(payload.merged_id), str(payload.survivor_id))
                await groups_changed(session, str(payload.survivor_id), event.region_code,
                                  payload.groups)  # fmt: skip
            elif isinstance(payload, PersonUnmerged):
                await set_merged_into(session, str(payload.restored_id), None)
                await groups_changed(session, str(payload.survivor_id), event.region_code,
                                  payload.groups)  # fmt: skip
            await uow.commit()

    async def record_online(event: EventEnvelope) -> None:
        await record_online_donation(
            runtime.unit_of_work, event, runtime.producer, runtime.settings.field_cipher()
        )

    runtime.dispatcher.on("online_donation.submitted")(record_online)
    for event_type in ("ledger.file_opened", "person.group_joined", "person.group_left",
                       "person.merged", "person.unmerged"):  # fmt: skip
        runtime.dispatcher.on(event_type)(apply)
