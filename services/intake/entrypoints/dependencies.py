"""What intake's routes share: the vault, and loading a person within the caller's region."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

from fastapi import Depends, HTTPException, Request, status

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.service_layer.disclosure import MAY_READ_PERSONS
from wushe.intake.service_layer.lifecycle import load_for_change
from wushe.shared.auth import Caller, Role, require_region, require_role
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.unit_of_work import UnitOfWork

REGISTRARS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)


async def get_vault(request: Request) -> PersonalDataVault:
    vault: PersonalDataVault = request.app.state.vault
    return vault


VaultDep = Annotated[PersonalDataVault, Depends(get_vault)]


async def person_in_scope(runtime: ServiceRuntime, caller: Caller, person_id: UUID) -> PersonRecord:
    require_role(caller, *MAY_READ_PERSONS)
    async with runtime.sessions() as session:
        record = await session.get(PersonRecord, str(person_id))
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no person {person_id}")
    require_region(caller, record.residence_region, field="residence_region")
    return record


@asynccontextmanager
async def changing(
    runtime: ServiceRuntime, caller: Caller, person_id: UUID
) -> AsyncIterator[tuple[UnitOfWork, PersonRecord]]:
    """The person's row, locked, in a unit of work committed when the block ends."""
    require_role(caller, *REGISTRARS)
    uow = runtime.unit_of_work()
    async with uow:
        record = await load_for_change(uow, person_id)
        require_region(caller, record.residence_region, field="residence_region")
        yield uow, record
        await uow.commit()
