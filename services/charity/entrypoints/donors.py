"""Charity's HTTP API for donors: names and contacts sealed at rest, read by fund keepers."""

from uuid import UUID

from fastapi import APIRouter, status

from wushe.charity.adapters.orm import DonorRecord
from wushe.charity.domain.donation import DonorEntry
from wushe.charity.domain.refusals import NotFound
from wushe.charity.entrypoints.money_desk import FUND_KEEPERS
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.donors import add_donor, opened
from wushe.shared.auth import CurrentCaller, require_region, require_role
from wushe.shared.http import RuntimeDep

router = APIRouter(prefix="/donors", tags=["donors"], route_class=RefusalRoute)


class DonorView(DonorEntry):
    donor_id: UUID


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DonorView)
async def create_donor(entry: DonorEntry, caller: CurrentCaller, runtime: RuntimeDep) -> DonorView:
    """Record an individual or organisation that gives, for later donations by donor_id."""
    require_role(caller, *FUND_KEEPERS)
    async with runtime.unit_of_work() as uow:
        donor_id = add_donor(uow.session, entry, runtime.settings.field_cipher(), caller)
        await uow.commit()
    return DonorView(donor_id=UUID(donor_id), **entry.model_dump())


@router.get("/{donor_id}", response_model=DonorView)
async def get_donor(donor_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> DonorView:
    require_role(caller, *FUND_KEEPERS)
    async with runtime.sessions() as session:
        donor = await session.get(DonorRecord, str(donor_id))
    if donor is None:
        raise NotFound(f"no donor {donor_id} / 没有该捐赠人", field="donor_id")
    require_region(caller, donor.region_code, field="donor_id")
    entry = opened(donor, runtime.settings.field_cipher())
    return DonorView(donor_id=donor_id, **entry.model_dump())
