"""Consents follow merges in notify, on SQLite and PostgreSQL: once intake merges a file
into another, the merged person's consent lets a partner receive the personal fields of
an alert about the survivor (as intake and the ledger read one person's merged files
together), and the undo of the merge takes that consent back. The merge arrives alone
and in a batch with the alert it governs."""

import uuid
from datetime import date, timedelta
from typing import cast

from aiokafka import ConsumerRecord
from sqlalchemy import select

from integration.conftest import MigratedDatabase
from integration.notify_routing_support import INTAKE, LEDGER, MIGRATIONS, VILLAGE, Notify
from wushe.notify.adapters.sharing_orm import SharingLedgerRecord
from wushe.notify.entrypoints.events import register_handlers
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.dispatcher import EventDispatcher
from wushe.shared.events import EventEnvelope, new_event
from wushe.shared.events.consent import RecipientKind
from wushe.shared.events.intake import PersonMerged, PersonUnmerged
from wushe.shared.events.visits import CrisisKind, CrisisReported
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.unit_of_work import UnitOfWork


class Handlers:
    """Notify's real event handlers over the test's database and clock."""

    def __init__(self, notify: Notify) -> None:
        self.sessions = notify.sessions
        self.dispatcher = EventDispatcher("notify")
        register_handlers(cast(ServiceRuntime, self), notify.router, lambda: None)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    async def batch(self, *events: EventEnvelope) -> None:
        consumed = []
        for offset, event in enumerate(events):
            value = event.model_dump_json().encode()
            record = ConsumerRecord(
                "notify.test", 0, offset, 0, 0, None, value, None, 0, len(value), headers=[]
            )
            consumed.append(ConsumedEvent(event, record))
        await self.dispatcher.dispatch_batch(consumed)


def crisis_about(person: uuid.UUID) -> EventEnvelope:
    payload = CrisisReported(
        visit_id=uuid.uuid4(), person_id=person, crisis_kind=CrisisKind.MISSING,
        found_on=date(2026, 11, 24),
    )  # fmt: skip
    return new_event(payload, subject=str(person), region_code=VILLAGE, producer=LEDGER)


async def test_a_merged_persons_consent_governs_alerts_about_the_survivor_until_the_undo(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    handlers = Handlers(notify)
    police = await notify.partner("police")
    await notify.agreement(police, ["crisis.reported"], ["crisis_kind"])
    survivor, merged, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    consent = await notify.consent(str(merged), RecipientKind.POLICE)
    merge_id = uuid.uuid4()
    merge = new_event(
        PersonMerged(survivor_id=survivor, merged_id=merged, merge_id=merge_id,
                     groups=["elderly_living_alone"]),
        subject=str(survivor), region_code=VILLAGE, producer=INTAKE,
    )  # fmt: skip
    undo = new_event(
        PersonUnmerged(survivor_id=survivor, restored_id=merged, merge_id=merge_id,
                       groups=["elderly_living_alone"], restored_groups=["disabled"]),
        subject=str(survivor), region_code=VILLAGE, producer=INTAKE,
    )  # fmt: skip

    async def shared_with_police() -> list[bool]:
        return ["crisis_kind" in body["data"] for body in await notify.bodies(police)]

    await handlers.dispatcher.dispatch(crisis_about(survivor))
    assert await shared_with_police() == [False]

    # The merge and the alert it governs, in one poll.
    notify.clock.advance(hours=1)
    await handlers.batch(merge, crisis_about(survivor))
    assert await shared_with_police() == [False, True]
    await handlers.dispatcher.dispatch(merge)  # redelivered: changes nothing

    # Another person's merge does not lend the consent to anyone else.
    notify.clock.advance(hours=1)
    await handlers.dispatcher.dispatch(crisis_about(other))
    assert await shared_with_police() == [False, True, False]

    notify.clock.advance(hours=1)
    await handlers.dispatcher.dispatch(undo)
    await handlers.dispatcher.dispatch(crisis_about(survivor))
    assert await shared_with_police() == [False, True, False, False]
    # The restored person's own alerts still rest on their consent.
    notify.clock.advance(hours=1)
    await handlers.dispatcher.dispatch(crisis_about(merged))
    assert (await shared_with_police())[-1] is True

    async with notify.sessions() as session:
        lines = (
            await session.scalars(
                select(SharingLedgerRecord)
                .where(SharingLedgerRecord.partner_id == police)
                .order_by(SharingLedgerRecord.shared_at)
            )
        ).all()
    assert [(line.person_id, line.consent_id) for line in lines] == [
        (str(survivor), None),
        (str(survivor), consent),
        (str(other), None),
        (str(survivor), None),
        (str(merged), consent),
    ]
    assert lines[0].shared_at + timedelta(hours=4) == lines[-1].shared_at
