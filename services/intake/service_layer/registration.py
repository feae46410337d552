"""Registering a person: the record and its event commit together."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from uuid6 import uuid7

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.person import PersonRegistration
from wushe.shared.auth import Caller
from wushe.shared.events import Producer, new_event
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.unit_of_work import UnitOfWork


class AlreadyRegistered(Exception):
    def __init__(self, person_id: str) -> None:
        super().__init__(f"a person with this ID number is already registered: {person_id}")
        self.person_id = person_id


async def register_person(
    uow: UnitOfWork,
    registration: PersonRegistration,
    *,
    caller: Caller,
    producer: Producer,
    vault: PersonalDataVault,
) -> UUID:
    async with uow:
        if registration.id_number:
            existing = await uow.session.scalar(
                select(PersonRecord.id).where(
                    PersonRecord.id_number_hash == vault.id_number_hash(registration.id_number)
                )
            )
            if existing:
                raise AlreadyRegistered(existing)
        person_id = uuid7()
        groups = [group.value for group in registration.groups]
        record = PersonRecord(
            id=str(person_id),
            birth_date=registration.birth_date,
            sex=registration.sex.value if registration.sex else None,
            residence_region=registration.residence_region,
            station_region=caller.region,
            groups=groups,
            registered_on=registration.registered_on,
            registered_by=caller.subject,
            registered_at=datetime.now(UTC),
        )
        vault.seal(record, registration.full_name, registration.id_number, registration.phone)
        uow.session.add(record)
        await uow.emit(
            new_event(
                PersonRegistered(
                    person_id=person_id,
                    residence_region=registration.residence_region,
                    station_region=caller.region,
                    groups=groups,
                ),
                subject=str(person_id),
                region_code=registration.residence_region,
                producer=producer,
            )
        )
        await uow.commit()
    return person_id
