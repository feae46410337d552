"""Charity's HTTP API."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select

from wushe.charity.adapters.orm import DonationRecord, FundRecord
from wushe.charity.domain.donation import DonationEntry, FundOpening
from wushe.charity.service_layer.donations import (
    FundCodeTaken,
    FundNotFound,
    find_fund,
    open_fund,
    record_donation,
)
from wushe.shared.auth import CurrentCaller, Role, require_region, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/funds", tags=["funds"])

FUND_KEEPERS = (Role.ADMIN, Role.STATION_STAFF)


class FundView(BaseModel):
    fund_id: UUID
    code: str
    name: str
    region_code: str
    manager_partner_ids: list[UUID]
    balance_fen: int
    donations: int


class DonationReceipt(BaseModel):
    donation_id: UUID
    fund_id: UUID
    amount_fen: int
    receipt_number: str
    received_at: datetime
    trace_id: str | None


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FundView)
async def create_fund(opening: FundOpening, caller: CurrentCaller, runtime: RuntimeDep) -> FundView:
    """Open a community charity fund; emits `fund.opened`."""
    require_role(caller, *FUND_KEEPERS)
    require_region(caller, opening.region_code)
    try:
        fund_id = await open_fund(runtime.unit_of_work(), opening, runtime.producer)
    except FundCodeTaken as error:
        raise HTTPException(
            status.HTTP_409_CONFLICT, detail={"field": "code", "message": str(error)}
        ) from None
    return await get_fund(fund_id, caller, runtime)


@router.get("", response_model=list[FundView])
async def list_funds(caller: CurrentCaller, runtime: RuntimeDep) -> list[FundView]:
    """Funds in the caller's region with their balances, by name."""
    return await _funds_with_balances(
        runtime, FundRecord.region_code.startswith(scope_prefix(caller.region))
    )


@router.get("/{fund_id}", response_model=FundView)
async def get_fund(fund_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> FundView:
    funds = await _funds_with_balances(runtime, FundRecord.id == str(fund_id))
    if not funds:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no fund {fund_id}")
    require_region(caller, funds[0].region_code)
    return funds[0]


async def _funds_with_balances(
    runtime: RuntimeDep, condition: ColumnElement[bool]
) -> list[FundView]:
    """Funds with the balance derived from their donations, in one query."""
    totals = (
        select(
            DonationRecord.fund_id,
            func.sum(DonationRecord.amount_fen).label("balance"),
            func.count().label("donations"),
        )
        .group_by(DonationRecord.fund_id)
        .subquery()
    )
    query = (
        select(FundRecord, totals.c.balance, totals.c.donations)
        .outerjoin(totals, totals.c.fund_id == FundRecord.id)
        .where(condition)
        .order_by(FundRecord.name)
    )
    async with runtime.sessions() as session:
        rows = (await session.execute(query)).all()
    return [
        FundView(
            fund_id=UUID(fund.id),
            code=fund.code,
            name=fund.name,
            region_code=fund.region_code,
            manager_partner_ids=[UUID(p) for p in fund.manager_partner_ids],
            balance_fen=int(balance or 0),
            donations=int(donations or 0),
        )
        for fund, balance, donations in rows
    ]


@router.post(
    "/{fund_id}/donations", status_code=status.HTTP_201_CREATED, response_model=DonationReceipt
)
async def donate(
    fund_id: UUID, entry: DonationEntry, caller: CurrentCaller, runtime: RuntimeDep
) -> DonationReceipt:
    """Record a donation into a fund; emits `donation.received` and returns its receipt."""
    require_role(caller, *FUND_KEEPERS)
    try:
        fund = await find_fund(runtime.unit_of_work(), fund_id)
        require_region(caller, fund.region_code)
        donation = await record_donation(
            runtime.unit_of_work(), fund_id, entry, caller=caller, producer=runtime.producer
        )
    except FundNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    return DonationReceipt(
        donation_id=UUID(donation.id),
        fund_id=UUID(donation.fund_id),
        amount_fen=donation.amount_fen,
        receipt_number=donation.receipt_number,
        received_at=donation.received_at,
        trace_id=current_trace_id(),
    )
