"""Reads of unmasked personal data are allowed to some roles, with a purpose, and logged."""

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select

from wushe.intake.adapters.orm import PersonalDataRead
from wushe.shared.auth import Caller, Role
from wushe.shared.telemetry import current_trace_id
from wushe.shared.unit_of_work import UnitOfWork

MAY_REVEAL = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)
MAY_READ_PERSONS = (*MAY_REVEAL, Role.AUDITOR)
MAY_AUDIT = (Role.ADMIN, Role.AUDITOR)


class RevealableField(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"
    PROFILES = "profiles"


async def log_unmasked_read(
    uow: UnitOfWork,
    person_id: str,
    caller: Caller,
    fields: Sequence[RevealableField],
    purpose: str,
) -> None:
    async with uow:
        uow.session.add(
            PersonalDataRead(
                person_id=person_id,
                reader=caller.subject,
                role=caller.role.value,
                fields=sorted(field.value for field in fields),
                purpose=purpose,
                read_at=datetime.now(UTC),
                trace_id=current_trace_id(),
            )
        )
        await uow.commit()


async def reads_of(uow: UnitOfWork, person_id: str) -> list[PersonalDataRead]:
    async with uow:
        rows = await uow.session.scalars(
            select(PersonalDataRead)
            .where(PersonalDataRead.person_id == person_id)
            .order_by(PersonalDataRead.id)
        )
        return list(rows)
