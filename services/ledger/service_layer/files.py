"""Opening a person's file when intake registers them."""

from datetime import UTC, datetime

from sqlalchemy import select
from uuid6 import uuid7

from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.telemetry import current_trace_id
from wushe.shared.unit_of_work import UnitOfWork

CONSUMER = "ledger"


async def open_file(uow: UnitOfWork, event: EventEnvelope, producer: Producer) -> None:
    registered = PersonRegistered.model_validate(event.payload)
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return
        person_id = str(registered.person_id)
        exists = await uow.session.scalar(
            select(LedgerFileRecord.id).where(LedgerFileRecord.person_id == person_id)
        )
        if exists is None:
            file_id = uuid7()
            uow.session.add(
                LedgerFileRecord(
                    id=str(file_id),
                    person_id=person_id,
                    region_code=registered.residence_region,
                    groups=registered.groups,
                    status="open",
                    opened_at=datetime.now(UTC),
                    opened_by_event=str(event.id),
                    trace_id=current_trace_id(),
                )
            )
            await uow.emit(
                new_event(
                    LedgerFileOpened(
                        file_id=file_id,
                        person_id=registered.person_id,
                        region_code=registered.residence_region,
                        groups=registered.groups,
                    ),
                    subject=person_id,
                    region_code=registered.residence_region,
                    producer=producer,
                    cause=event,
                )
            )
        await uow.commit()
