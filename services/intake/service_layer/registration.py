"""Registering a person: the record, its group periods, its history line and its event
commit together."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import insert, select
from uuid_utils.compat import uuid7

from wushe.intake.adapters.orm import GroupMembershipRecord, PersonRecord, PersonStatus, metadata
from wushe.intake.adapters.personal_data import Columns, PersonalDataVault
from wushe.intake.domain.age_rules import age_band
from wushe.intake.domain.children_at_risk import any_at_risk
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.duplicate_finding import flag_person
from wushe.intake.service_layer.history import record_change
from wushe.shared.auth import Caller
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.unit_of_work import UnitOfWork

_PERSONS = metadata.tables[PersonRecord.__tablename__]
_MEMBERSHIPS = metadata.tables[GroupMembershipRecord.__tablename__]


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
        person, memberships = person_values(uuid7(), registration, caller, vault)
        # Written as rows, not ORM objects: nothing reads them back in this transaction,
        # and the unit of work's flush cost a registration more than its statements.
        person["duplicates_checked_at"] = datetime.now(UTC)
        await uow.session.execute(insert(_PERSONS), person)
        if memberships:
            await uow.session.execute(insert(_MEMBERSHIPS), memberships)
        await flag_person(uow, person["id"], person)
        await record_change(
            uow,
            registered_event(person, registration, producer, vault),
            caller,
            detail={"residence_region": person["residence_region"]},
        )
        await uow.commit()
    return UUID(person["id"])


def person_values(
    person_id: UUID, registration: PersonRegistration, caller: Caller, vault: PersonalDataVault
) -> tuple[Columns, list[Columns]]:
    """The sealed person row and its group periods, as column values ready to insert."""
    person = {
        "id": str(person_id),
        "birth_date": registration.birth_date,
        "sex": registration.sex.value if registration.sex else None,
        "residence_region": registration.residence_region,
        "household_region": registration.household_region,
        "station_region": caller.region,
        "groups": [group.value for group in registration.target_groups],
        "status": PersonStatus.ACTIVE.value,
        "registered_on": registration.registered_on,
        "registered_by": caller.subject,
        "registered_at": datetime.now(UTC),
        "import_fingerprint": None,
    } | vault.sealed(
        registration.full_name, registration.id_number, registration.phone,
        registration.address, registration.profiles,
    )  # fmt: skip
    memberships = [
        {
            "person_id": str(person_id),
            "group": entry.group.value,
            "since": entry.since or registration.registered_on,
            "reason": entry.reason,
            "recorded_by": caller.subject,
        }
        for entry in registration.groups
    ]
    return person, memberships


def registered_event(
    person: Columns,
    registration: PersonRegistration,
    producer: Producer,
    vault: PersonalDataVault,
    correlation_id: UUID | None = None,
) -> EventEnvelope:
    birth_date = registration.birth_date
    sealed = (
        vault.sealed_for_partners(registration.full_name, registration.address)
        if any_at_risk(person["groups"])
        else {}
    )
    # Built from values the registration has just validated: checking them again costs
    # an import more than writing its rows.
    payload = PersonRegistered.model_construct(
        person_id=UUID(person["id"]),
        residence_region=person["residence_region"],
        station_region=person["station_region"],
        groups=person["groups"],
        household_region=person["household_region"],
        sex=person["sex"],
        age_band=age_band(birth_date, registration.registered_on) if birth_date else None,
        name_sealed=sealed.get("name_sealed"),
        address_sealed=sealed.get("address_sealed"),
    )
    return new_event(
        payload,
        subject=person["id"],
        region_code=person["residence_region"],
        producer=producer,
        correlation_id=correlation_id,
        actor=person["registered_by"],
    )
