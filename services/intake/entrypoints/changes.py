"""Intake's HTTP API for changing a registered person; every change says why."""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from wushe.intake.domain.changes import DeathReport, GroupJoin, GroupLeave, PersonUpdate, Relocation
from wushe.intake.entrypoints.dependencies import VaultDep, changing
from wushe.intake.service_layer import lifecycle
from wushe.shared.auth import CurrentCaller, require_region
from wushe.shared.events.groups import TargetGroup
from wushe.shared.http import RuntimeDep
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/persons/{person_id}", tags=["persons"])


class Changed(BaseModel):
    person_id: UUID
    changed_fields: list[str]
    trace_id: str | None


@router.patch("", response_model=Changed)
async def update(
    person_id: UUID,
    change: PersonUpdate,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> Changed:
    """Correct or complete details; emits `person.updated` naming the changed fields."""
    if change.household_region:
        require_region(caller, change.household_region, field="household_region")
    async with changing(runtime, caller, person_id) as (uow, record):
        fields = await lifecycle.update_person(
            uow, record, change, caller=caller, producer=runtime.producer, vault=vault
        )
    return Changed(person_id=person_id, changed_fields=fields, trace_id=current_trace_id())


@router.post("/groups", response_model=Changed)
async def join_group(
    person_id: UUID, join: GroupJoin, caller: CurrentCaller, runtime: RuntimeDep, vault: VaultDep
) -> Changed:
    """Add the person to a group from a date; emits `person.group_joined`."""
    async with changing(runtime, caller, person_id) as (uow, record):
        await lifecycle.join_group(
            uow, record, join, caller=caller, producer=runtime.producer, vault=vault
        )
    return Changed(person_id=person_id, changed_fields=["groups"], trace_id=current_trace_id())


@router.post("/groups/{group}/leave", response_model=Changed)
async def leave_group(
    person_id: UUID,
    group: TargetGroup,
    leave: GroupLeave,
    caller: CurrentCaller,
    runtime: RuntimeDep,
) -> Changed:
    """End the person's membership of a group; emits `person.group_left`."""
    async with changing(runtime, caller, person_id) as (uow, record):
        await lifecycle.leave_group(
            uow, record, group, leave, caller=caller, producer=runtime.producer
        )
    return Changed(person_id=person_id, changed_fields=["groups"], trace_id=current_trace_id())


@router.post("/relocation", response_model=Changed)
async def relocate(
    person_id: UUID,
    move: Relocation,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> Changed:
    """Move the person to another region; the receiving station takes over the file.
    Emits `person.relocated`."""
    async with changing(runtime, caller, person_id) as (uow, record):
        await lifecycle.relocate(
            uow, record, move, caller=caller, producer=runtime.producer, vault=vault
        )
    return Changed(
        person_id=person_id, changed_fields=["residence_region"], trace_id=current_trace_id()
    )


@router.post("/death", response_model=Changed)
async def report_death(
    person_id: UUID, report: DeathReport, caller: CurrentCaller, runtime: RuntimeDep
) -> Changed:
    """Record the person's death: the file is closed, groups end. Emits `person.deceased`."""
    async with changing(runtime, caller, person_id) as (uow, record):
        await lifecycle.report_death(uow, record, report, caller=caller, producer=runtime.producer)
    return Changed(person_id=person_id, changed_fields=["status"], trace_id=current_trace_id())
