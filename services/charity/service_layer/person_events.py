"""What the ledger's and intake's events say about a person, applied to charity's view."""

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.service_layer.persons import file_opened, groups_changed, set_merged_into
from wushe.shared.events import EventEnvelope
from wushe.shared.events.intake import (
    PersonGroupJoined,
    PersonGroupLeft,
    PersonMerged,
    PersonUnmerged,
)
from wushe.shared.events.ledger import LedgerFileOpened

PERSON_EVENTS = (
    "ledger.file_opened",
    "person.group_joined",
    "person.group_left",
    "person.merged",
    "person.unmerged",
)


async def follow_person(session: AsyncSession, event: EventEnvelope) -> None:
    payload = event.typed_payload()
    region = event.region_code
    if isinstance(payload, LedgerFileOpened):
        await file_opened(session, str(payload.person_id), payload.region_code, payload.groups)
    elif isinstance(payload, PersonGroupJoined | PersonGroupLeft):
        await groups_changed(session, str(payload.person_id), region, payload.groups)
    elif isinstance(payload, PersonMerged):
        await set_merged_into(session, str(payload.merged_id), str(payload.survivor_id))
        await groups_changed(session, str(payload.survivor_id), region, payload.groups)
    elif isinstance(payload, PersonUnmerged):
        await set_merged_into(session, str(payload.restored_id), None)
        await groups_changed(session, str(payload.restored_id), region, payload.restored_groups)
        await groups_changed(session, str(payload.survivor_id), region, payload.groups)
