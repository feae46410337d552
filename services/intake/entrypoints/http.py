"""Intake's HTTP API for registering and finding people: thin routes over commands."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from wushe.intake.adapters.orm import GroupMembershipRecord, PersonChangeRecord, PersonStatus
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.entrypoints.dependencies import REGISTRARS, VaultDep, person_in_scope
from wushe.intake.entrypoints.views import (
    ChangeView,
    MembershipView,
    PersonDetail,
    PersonPage,
    PersonView,
    ReadView,
)
from wushe.intake.service_layer.disclosure import (
    MAY_AUDIT,
    MAY_READ_PERSONS,
    MAY_REVEAL,
    RevealableField,
    log_unmasked_read,
    reads_of,
)
from wushe.intake.service_layer.merges import merged_into, whole_file
from wushe.intake.service_layer.registration import register_person
from wushe.intake.service_layer.search import PersonQuery, search_persons
from wushe.shared.auth import CurrentCaller, require_region, require_role
from wushe.shared.events.groups import TargetGroup
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import RegionCode
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/persons", tags=["persons"])


class Registered(BaseModel):
    person_id: UUID
    trace_id: str | None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Registered)
async def register(
    registration: PersonRegistration, caller: CurrentCaller, runtime: RuntimeDep, vault: VaultDep
) -> Registered:
    """Register a person in need; emits `person.registered`. 409 if the ID number is known."""
    require_role(caller, *REGISTRARS)
    require_region(caller, registration.residence_region, field="residence_region")
    person_id = await register_person(
        runtime.unit_of_work(), registration,
        caller=caller, producer=runtime.producer, vault=vault,
    )  # fmt: skip
    return Registered(person_id=person_id, trace_id=current_trace_id())


@router.get("/{person_id}", response_model=PersonDetail)
async def get_person(
    person_id: UUID,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
    reveal: Annotated[list[RevealableField], Query()] = [],  # noqa: B006
    purpose: Annotated[str | None, Query(min_length=2, max_length=200)] = None,
) -> PersonDetail:
    """One person with their group periods; ID number, phone, address and profiles stay
    hidden unless `reveal` names them.

    Revealing needs a role that may see them and a `purpose`; every such read is logged.
    """
    record = await person_in_scope(runtime, caller, person_id)
    async with runtime.sessions() as session:
        periods = await session.scalars(
            select(GroupMembershipRecord)
            .where(GroupMembershipRecord.person_id == record.id)
            .order_by(GroupMembershipRecord.since, GroupMembershipRecord.id)
        )
        memberships = [MembershipView.of(period) for period in periods]
        merged = await merged_into(session, [record.id])
    view = PersonDetail(
        **PersonView.of(record, vault).model_dump(),
        memberships=memberships,
        merged_person_ids=[UUID(person) for person in merged],
    )
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
        if RevealableField.ADDRESS in reveal:
            view.address = vault.address(record)
        if RevealableField.PROFILES in reveal:
            view.profiles = vault.profiles(record)
    return view


@router.get("/{person_id}/history", response_model=list[ChangeView])
async def history(person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> list[ChangeView]:
    """Every change to the person: what (field names), who, when, why, and its event.

    The lines of files merged into this one are included, each naming its person.
    """
    record = await person_in_scope(runtime, caller, person_id)
    async with runtime.sessions() as session:
        people = await whole_file(session, record.id)
        rows = await session.scalars(
            select(PersonChangeRecord)
            .where(PersonChangeRecord.person_id.in_(people))
            .order_by(PersonChangeRecord.id)
        )
        return [ChangeView.of(row) for row in rows]


@router.get("/{person_id}/reads", response_model=list[ReadView])
async def list_reads(person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> list[ReadView]:
    """Who read this person's unmasked data, when and why."""
    require_role(caller, *MAY_AUDIT)
    record = await person_in_scope(runtime, caller, person_id)
    rows = await reads_of(runtime.unit_of_work(), record.id)
    return [
        ReadView(reader=r.reader, role=r.role, fields=r.fields, purpose=r.purpose,
                 read_at=r.read_at, trace_id=r.trace_id)
        for r in rows
    ]  # fmt: skip


@router.get("", response_model=PersonPage)
async def search(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
    name: Annotated[str | None, Query(max_length=50, description="Exact full name")] = None,
    id_number: Annotated[str | None, Query(max_length=18)] = None,
    phone: Annotated[str | None, Query(max_length=30)] = None,
    region: Annotated[RegionCode | None, Query(description="Residence within")] = None,
    group: Annotated[TargetGroup | None, Query(description="Current member of")] = None,
    station: Annotated[RegionCode | None, Query(description="Registering station within")] = None,
    person_status: Annotated[PersonStatus | None, Query(alias="status")] = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> PersonPage:
    """People in the caller's region, newest first, identifiers masked.

    Name, ID number and phone are matched exactly, through their keyed hashes.
    """  # fmt: skip
    require_role(caller, *MAY_READ_PERSONS)
    query = PersonQuery(scope=caller.region, name=name, id_number=id_number and id_number.upper(),
                        phone=phone, region=region, group=group, station=station,
                        status=person_status)  # fmt: skip
    try:
        uow = runtime.unit_of_work()
        page = await search_persons(uow, query, vault, limit=limit, offset=offset)
    except ValueError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{"loc": ["query", "phone"], "type": "value_error", "msg": str(error)}],
        ) from None
    return PersonPage(items=[PersonView.of(r, vault) for r in page.records], total=page.total,
                      limit=limit, offset=offset)  # fmt: skip
