"""Charity's HTTP API for what paid for a person or a project: the donations behind
every disbursement they received, from the funds in the caller's region."""

from uuid import UUID

from fastapi import APIRouter

from wushe.charity.entrypoints.money_desk import READERS
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.read_models import MoneyTrail
from wushe.charity.service_layer.traceability import trails_to_person, trails_to_project
from wushe.shared.auth import CurrentCaller, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix

router = APIRouter(tags=["disbursements"], route_class=RefusalRoute)


@router.get("/persons/{person_id}/donation-sources", response_model=list[MoneyTrail])
async def person_sources(
    person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[MoneyTrail]:
    """Which donations paid for what a person received, from funds in the caller's region."""
    require_role(caller, *READERS)
    async with runtime.sessions() as session:
        return await trails_to_person(session, str(person_id), scope_prefix(caller.region))


@router.get("/projects/{project_id}/donation-sources", response_model=list[MoneyTrail])
async def project_sources(
    project_id: str, caller: CurrentCaller, runtime: RuntimeDep
) -> list[MoneyTrail]:
    require_role(caller, *READERS)
    async with runtime.sessions() as session:
        return await trails_to_project(session, project_id, scope_prefix(caller.region))
