"""Charity's HTTP API for disbursements: request, approve or reject (not by the
requester), withdraw (by the requester alone), read them, and trace which donations
paid for them."""

from uuid import UUID

from fastapi import APIRouter, status

from wushe.charity.adapters.disbursement_orm import DisbursementRecord
from wushe.charity.domain.disbursement import DisbursementRequest, Rejection, Withdrawal
from wushe.charity.domain.refusals import NotFound
from wushe.charity.entrypoints.money_desk import (
    FUND_KEEPERS,
    READERS,
    REQUESTERS,
    desk,
    fund_of_caller,
)
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.approval import approve_disbursement
from wushe.charity.service_layer.disbursement_reads import disbursements_where
from wushe.charity.service_layer.disbursements import (
    reject_disbursement,
    request_disbursement,
    withdraw_disbursement,
)
from wushe.charity.service_layer.read_models import DisbursementView, MoneyTrail
from wushe.charity.service_layer.traceability import trails_of_disbursement
from wushe.shared.auth import CurrentCaller, require_role
from wushe.shared.http import RuntimeDep

router = APIRouter(tags=["disbursements"], route_class=RefusalRoute)


@router.post(
    "/funds/{fund_id}/disbursements",
    status_code=status.HTTP_201_CREATED,
    response_model=DisbursementView,
)
async def request(
    fund_id: UUID, body: DisbursementRequest, caller: CurrentCaller, runtime: RuntimeDep
) -> DisbursementView:
    """Ask for money for a person's ledger file or a project; emits
    `disbursement.requested`. Restricted money only for its purpose."""
    require_role(caller, *REQUESTERS)
    await fund_of_caller(runtime, caller, fund_id)
    record = await request_disbursement(
        runtime.unit_of_work(), fund_id, body, desk(caller, runtime)
    )
    return await _view(runtime, caller, UUID(record.id))


@router.get("/funds/{fund_id}/disbursements", response_model=list[DisbursementView])
async def list_disbursements(
    fund_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[DisbursementView]:
    require_role(caller, *READERS)
    await fund_of_caller(runtime, caller, fund_id)
    async with runtime.sessions() as session:
        return await disbursements_where(session, DisbursementRecord.fund_id == str(fund_id))


@router.post("/disbursements/{disbursement_id}/approve", response_model=DisbursementView)
async def approve(
    disbursement_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> DisbursementView:
    """Pay out: checks the balance under lock, traces the donations it came from and
    emits `disbursement.approved` and `fund.disbursed`."""
    require_role(caller, *FUND_KEEPERS)
    await _view(runtime, caller, disbursement_id)
    await approve_disbursement(runtime.unit_of_work(), disbursement_id, desk(caller, runtime))
    return await _view(runtime, caller, disbursement_id)


@router.post("/disbursements/{disbursement_id}/reject", response_model=DisbursementView)
async def reject(
    disbursement_id: UUID, body: Rejection, caller: CurrentCaller, runtime: RuntimeDep
) -> DisbursementView:
    require_role(caller, *FUND_KEEPERS)
    await _view(runtime, caller, disbursement_id)
    await reject_disbursement(
        runtime.unit_of_work(), disbursement_id, body.reason, desk(caller, runtime)
    )
    return await _view(runtime, caller, disbursement_id)


@router.post("/disbursements/{disbursement_id}/withdrawal", response_model=DisbursementView)
async def withdraw(
    disbursement_id: UUID, body: Withdrawal, caller: CurrentCaller, runtime: RuntimeDep
) -> DisbursementView:
    """The requester takes back a request not yet approved or rejected (撤回申请);
    emits `disbursement.withdrawn`. Anyone else rejects it instead."""
    require_role(caller, *REQUESTERS)
    await _view(runtime, caller, disbursement_id)
    await withdraw_disbursement(
        runtime.unit_of_work(), disbursement_id, body.reason, desk(caller, runtime)
    )
    return await _view(runtime, caller, disbursement_id)


@router.get("/disbursements/{disbursement_id}", response_model=DisbursementView)
async def get_disbursement(
    disbursement_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> DisbursementView:
    require_role(caller, *READERS)
    return await _view(runtime, caller, disbursement_id)


@router.get("/disbursements/{disbursement_id}/sources", response_model=list[MoneyTrail])
async def disbursement_sources(
    disbursement_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[MoneyTrail]:
    """The donations that paid for the disbursement, and how much of each."""
    require_role(caller, *READERS)
    await _view(runtime, caller, disbursement_id)
    async with runtime.sessions() as session:
        return await trails_of_disbursement(session, str(disbursement_id))


async def _view(
    runtime: RuntimeDep, caller: CurrentCaller, disbursement_id: UUID
) -> DisbursementView:
    async with runtime.sessions() as session:
        found = await disbursements_where(session, DisbursementRecord.id == str(disbursement_id))
    if not found:
        raise NotFound(f"no disbursement {disbursement_id} / 没有该拨付申请",
                       field="disbursement_id")  # fmt: skip
    await fund_of_caller(runtime, caller, found[0].fund_id)
    return found[0]
