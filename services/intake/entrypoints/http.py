"""Intake's HTTP API: thin routes that turn requests into commands."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel
from sqlalchemy import select

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.disclosure import (
    MAY_AUDIT,
    MAY_READ_PERSONS,
    MAY_REVEAL,
    RevealableField,
    log_unmasked_read,
    reads_of,
)
from wushe.intake.service_layer.registration import AlreadyRegistered, register_person
from wushe.shared.auth import CurrentCaller, Role, require_region, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/persons", tags=["persons"])

REGISTRARS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)


def get_vault(request: Request) -> PersonalDataVault:
    vault: PersonalDataVault = request.app.state.vault
    return vault


VaultDep = Annotated[PersonalDataVault, Depends(get_vault)]


class Registered(BaseModel):
    person_id: UUID
    trace_id: str | None


class PersonView(BaseModel):
    person_id: UUID
    full_name: str
    id_number_masked: str | None
    id_number: str | None = None
    birth_date: date | None
    sex: str | None
    phone_masked: str | None
    phone: str | None = None
    residence_region: str
    station_region: str
    groups: list[str]
    registered_at: datetime

    @classmethod
    def of(cls, record: PersonRecord, vault: PersonalDataVault) -> "PersonView":
        return cls(
            person_id=UUID(record.id),
            full_name=vault.full_name(record),
            id_number_masked=record.id_number_masked,
            birth_date=record.birth_date,
            sex=record.sex,
            phone_masked=record.phone_masked,
            residence_region=record.residence_region,
            station_region=record.station_region,
            groups=record.groups,
            registered_at=record.registered_at,
        )


class ReadView(BaseModel):
    reader: str
    role: str
    fields: list[str]
    purpose: str
    read_at: datetime
    trace_id: str | None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Registered)
async def register(
    registration: PersonRegistration, caller: CurrentCaller, runtime: RuntimeDep, vault: VaultDep
) -> Registered:
    """Register a person in need; emits `person.registered`."""
    require_role(caller, *REGISTRARS)
    require_region(caller, registration.residence_region, field="residence_region")
    try:
        person_id = await register_person(
            runtime.unit_of_work(), registration,
            caller=caller, producer=runtime.producer, vault=vault,
        )  # fmt: skip
    except AlreadyRegistered as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail={"message": str(error), "field": "id_number", "person_id": error.person_id},
        ) from None
    return Registered(person_id=person_id, trace_id=current_trace_id())


async def _person_in_scope(
    runtime: RuntimeDep, caller: CurrentCaller, person_id: UUID
) -> PersonRecord:
    require_role(caller, *MAY_READ_PERSONS)
    async with runtime.sessions() as session:
        record = await session.get(PersonRecord, str(person_id))
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no person {person_id}")
    require_region(caller, record.residence_region, field="residence_region")
    return record


@router.get("/{person_id}", response_model=PersonView)
async def get_person(
    person_id: UUID,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
    reveal: Annotated[list[RevealableField], Query()] = [],  # noqa: B006
    purpose: Annotated[str | None, Query(min_length=2, max_length=200)] = None,
) -> PersonView:
    """One person, with ID number and phone masked unless `reveal` names them.

    Revealing needs a role that may see them and a `purpose`; every such read is logged.
    """
    record = await _person_in_scope(runtime, caller, person_id)
    view = PersonView.of(record, vault)
    if reveal:
        require_role(caller, *MAY_REVEAL)
        if purpose is None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                detail=[{"loc": ["query", "purpose"], "type": "missing",
                         "msg": "say why the unmasked data is needed (须说明查看事由)"}],
            )  # fmt: skip
        await log_unmasked_read(runtime.unit_of_work(), record.id, caller, reveal, purpose)
        if RevealableField.ID_NUMBER in reveal:
            view.id_number = vault.id_number(record)
        if RevealableField.PHONE in reveal:
            view.phone = vault.phone(record)
    return view


@router.get("/{person_id}/reads", response_model=list[ReadView])
async def list_reads(person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> list[ReadView]:
    """Who read this person's unmasked data, when and why."""
    require_role(caller, *MAY_AUDIT)
    record = await _person_in_scope(runtime, caller, person_id)
    rows = await reads_of(runtime.unit_of_work(), record.id)
    return [
        ReadView(reader=r.reader, role=r.role, fields=r.fields, purpose=r.purpose,
                 read_at=r.read_at, trace_id=r.trace_id)
        for r in rows
    ]  # fmt: skip


@router.get("", response_model=list[PersonView])
async def list_persons(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[PersonView]:
    """People registered in the caller's region, newest first, identifiers masked."""
    require_role(caller, *MAY_READ_PERSONS)
    prefix = scope_prefix(caller.region)
    async with runtime.sessions() as session:
        records = await session.scalars(
            select(PersonRecord)
            .where(PersonRecord.residence_region.startswith(prefix))
            .order_by(PersonRecord.registered_at.desc())
            .limit(limit)
            .offset(offset)
        )
        return [PersonView.of(record, vault) for record in records]
