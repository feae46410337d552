"""Charity's HTTP API for funds and campaigns: opening them, their balances and accounts,
the low-balance threshold, a campaign's launch and close, and donations into a fund."""

from uuid import UUID

from fastapi import APIRouter, status
from sqlalchemy import select

from wushe.charity.adapters.orm import DonationRecord, FundRecord
from wushe.charity.domain.donation import DonationEntry
from wushe.charity.domain.funds import FundOpening, FundStatus, ThresholdChange
from wushe.charity.domain.refusals import NotFound
from wushe.charity.entrypoints.donations import donation_view
from wushe.charity.entrypoints.money_desk import FUND_KEEPERS, READERS, desk, fund_of_caller
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.donations import record_donation
from wushe.charity.service_layer.fund_reads import accounts_of, funds_where
from wushe.charity.service_layer.funds import advance_campaign, open_fund, set_threshold
from wushe.charity.service_layer.read_models import AccountView, DonationView, FundView
from wushe.shared.auth import CurrentCaller, require_region, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix

router = APIRouter(prefix="/funds", tags=["funds"], route_class=RefusalRoute)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FundView)
async def create_fund(opening: FundOpening, caller: CurrentCaller, runtime: RuntimeDep) -> FundView:
    """Open a community charity fund or a campaign; emits `fund.opened`."""
    require_role(caller, *FUND_KEEPERS)
    require_region(caller, opening.region_code)
    fund_id = await open_fund(runtime.unit_of_work(), opening, runtime.producer, caller)
    return await get_fund(fund_id, caller, runtime)


@router.get("", response_model=list[FundView])
async def list_funds(caller: CurrentCaller, runtime: RuntimeDep) -> list[FundView]:
    """Funds in the caller's region with their balances, by name."""
    async with runtime.sessions() as session:
        return await funds_where(
            session, FundRecord.region_code.startswith(scope_prefix(caller.region))
        )


@router.get("/{fund_id}", response_model=FundView)
async def get_fund(fund_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> FundView:
    async with runtime.sessions() as session:
        funds = await funds_where(session, FundRecord.id == str(fund_id))
    if not funds:
        raise NotFound(f"no fund {fund_id} / 没有该基金", field="fund_id")
    require_region(caller, funds[0].region_code)
    return funds[0]


@router.get("/{fund_id}/accounts", response_model=list[AccountView])
async def list_accounts(
    fund_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[AccountView]:
    """The fund's accounts and their balances: holding (unrestricted and per restriction),
    donations per channel (negative: money in), disbursed (money out)."""
    fund = await fund_of_caller(runtime, caller, fund_id)
    async with runtime.sessions() as session:
        return await accounts_of(session, fund.id)


@router.put("/{fund_id}/balance-low-threshold", response_model=FundView)
async def change_threshold(
    fund_id: UUID, change: ThresholdChange, caller: CurrentCaller, runtime: RuntimeDep
) -> FundView:
    """Below this balance, `fund.balance_low` is emitted (0: never)."""
    require_role(caller, *FUND_KEEPERS)
    await fund_of_caller(runtime, caller, fund_id)
    await set_threshold(runtime.unit_of_work(), fund_id, change.balance_low_threshold_fen)
    return await get_fund(fund_id, caller, runtime)


@router.post("/{fund_id}/launch", response_model=FundView)
async def launch_campaign(fund_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> FundView:
    """A registered campaign starts taking donations; emits `fund.status_changed`."""
    return await _advance(fund_id, FundStatus.LAUNCHED, caller, runtime)


@router.post("/{fund_id}/close", response_model=FundView)
async def close_campaign(fund_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> FundView:
    """A launched campaign stops taking donations; its money can still be disbursed."""
    return await _advance(fund_id, FundStatus.CLOSED, caller, runtime)


async def _advance(
    fund_id: UUID, to: FundStatus, caller: CurrentCaller, runtime: RuntimeDep
) -> FundView:
    require_role(caller, *FUND_KEEPERS)
    await fund_of_caller(runtime, caller, fund_id)
    await advance_campaign(
        runtime.unit_of_work(), fund_id, to, caller=caller, producer=runtime.producer
    )
    return await get_fund(fund_id, caller, runtime)


@router.post(
    "/{fund_id}/donations", status_code=status.HTTP_201_CREATED, response_model=DonationView
)
async def donate(
    fund_id: UUID, entry: DonationEntry, caller: CurrentCaller, runtime: RuntimeDep
) -> DonationView:
    """Record a donation into a fund; emits `donation.received` and returns its receipt."""
    require_role(caller, *FUND_KEEPERS)
    await fund_of_caller(runtime, caller, fund_id)
    donation = await record_donation(runtime.unit_of_work(), fund_id, entry, desk(caller, runtime))
    return donation_view(donation)


@router.get("/{fund_id}/donations", response_model=list[DonationView])
async def list_donations(
    fund_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[DonationView]:
    """The fund's donations in receipt order, refunded and corrected ones included."""
    require_role(caller, *READERS)
    fund = await fund_of_caller(runtime, caller, fund_id)
    async with runtime.sessions() as session:
        donations = await session.scalars(
            select(DonationRecord)
            .where(DonationRecord.fund_id == fund.id)
            .order_by(DonationRecord.received_at, DonationRecord.receipt_number)
        )
        return [donation_view(donation) for donation in donations]
