"""Intake's HTTP API: thin routes that turn requests into commands."""

from datetime import date, datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.domain.phone import mask_phone
from wushe.intake.service_layer.registration import AlreadyRegistered, register_person
from wushe.shared.auth import CurrentCaller, Role, require_region, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/persons", tags=["persons"])

REGISTRARS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)


class Registered(BaseModel):
    person_id: UUID
    trace_id: str | None


class PersonView(BaseModel):
    person_id: UUID
    full_name: str
    id_number_masked: str | None
    birth_date: date | None
    sex: str | None
    phone_masked: str | None
    residence_region: str
    station_region: str
    groups: list[str]
    registered_at: datetime

    @classmethod
    def of(cls, record: PersonRecord) -> "PersonView":
        return cls(
            person_id=UUID(record.id),
            full_name=record.full_name,
            id_number_masked=record.id_number_masked,
            birth_date=record.birth_date,
            sex=record.sex,
            phone_masked=mask_phone(record.phone) if record.phone else None,
            residence_region=record.residence_region,
            station_region=record.station_region,
            groups=record.groups,
            registered_at=record.registered_at,
        )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Registered)
async def register(
    registration: PersonRegistration, caller: CurrentCaller, runtime: RuntimeDep
) -> Registered:
    """Register a person in need; emits `person.registered`."""
    require_role(caller, *REGISTRARS)
    require_region(caller, registration.residence_region, field="residence_region")
    try:
        person_id = await register_person(
            runtime.unit_of_work(),
            registration,
            caller=caller,
            producer=runtime.producer,
            data_key=runtime.settings.data_key.get_secret_value(),
        )
    except AlreadyRegistered as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail={"message": str(error), "field": "id_number", "person_id": error.person_id},
        ) from None
    return Registered(person_id=person_id, trace_id=current_trace_id())


@router.get("/{person_id}", response_model=PersonView)
async def get_person(person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> PersonView:
    async with runtime.sessions() as session:
        record = await session.get(PersonRecord, str(person_id))
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no person {person_id}")
    require_region(caller, record.residence_region, field="residence_region")
    return PersonView.of(record)


@router.get("", response_model=list[PersonView])
async def list_persons(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[PersonView]:
    """People registered in the caller's region, newest first."""
    prefix = scope_prefix(caller.region)
    async with runtime.sessions() as session:
        records = await session.scalars(
            select(PersonRecord)
            .where(PersonRecord.residence_region.startswith(prefix))
            .order_by(PersonRecord.registered_at.desc())
            .limit(limit)
            .offset(offset)
        )
        return [PersonView.of(record) for record in records]
