"""Registering a person: the record, its group periods, its history line and its event
commit together."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from uuid6 import uuid7

from wushe.intake.adapters.orm import GroupMembershipRecord, PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.age_rules import age_band
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.history import record_change
from wushe.shared.auth import Caller
from wushe.shared.events import EventEnvelope, Producer, new_event
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
        record, memberships = person_rows(person_id, registration, caller, vault)
        uow.session.add(record)
        uow.session.add_all(memberships)
        await record_change(
            uow,
            registered_event(record, registration, producer),
            caller,
            detail={"residence_region": record.residence_region},
        )
        await uow.commit()
    return person_id


def person_rows(
    person_id: UUID, registration: PersonRegistration, caller: Caller, vault: PersonalDataVault
) -> tuple[PersonRecord, list[GroupMembershipRecord]]:
    """The sealed person row and its group periods, ready to insert."""
    record = PersonRecord(
        id=str(person_id),
        birth_date=registration.birth_date,
        sex=registration.sex.value if registration.sex else None,
        residence_region=registration.residence_region,
        household_region=registration.household_region,
        station_region=caller.region,
        groups=[group.value for group in registration.target_groups],
        registered_on=registration.registered_on,
        registered_by=caller.subject,
        registered_at=datetime.now(UTC),
    )
    vault.seal(record, registration.full_name, registration.id_number, registration.phone)
    vault.seal_address(record, registration.address)
    vault.seal_profiles(record, registration.profiles)
    memberships = [
        GroupMembershipRecord(
            person_id=str(person_id),
            group=entry.group.value,
            since=entry.since or registration.registered_on,
            reason=entry.reason,
            recorded_by=caller.subject,
        )
        for entry in registration.groups
    ]
    return record, memberships


def registered_event(
    record: PersonRecord, registration: PersonRegistration, producer: Producer
) -> EventEnvelope:
    birth_date = registration.birth_date
    return new_event(
        PersonRegistered(
            person_id=UUID(record.id),
            residence_region=record.residence_region,
            station_region=record.station_region,
            groups=record.groups,
            household_region=record.household_region,
            sex=registration.sex.value if registration.sex else None,
            age_band=age_band(birth_date, registration.registered_on) if birth_date else None,
        ),
        subject=record.id,
        region_code=record.residence_region,
        producer=producer,
    )
