"""Charity's HTTP API for campaigns (99公益日, 幸福家园 mutual-aid projects): progress
towards the goal, donors, and the summary per region."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from wushe.charity.adapters.orm import FundRecord
from wushe.charity.domain.refusals import NotFound
from wushe.charity.entrypoints.money_desk import fund_of_caller
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.campaigns import campaigns_where, summary_by_region
from wushe.charity.service_layer.read_models import CampaignProgress, RegionCampaigns
from wushe.shared.auth import CurrentCaller
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix

router = APIRouter(tags=["campaigns"], route_class=RefusalRoute)


@router.get("/campaigns", response_model=list[CampaignProgress])
async def list_campaigns(caller: CurrentCaller, runtime: RuntimeDep) -> list[CampaignProgress]:
    """Campaigns in the caller's region with raised amount, % of goal and donors."""
    async with runtime.sessions() as session:
        return await campaigns_where(
            session, FundRecord.region_code.startswith(scope_prefix(caller.region))
        )


@router.get("/campaigns/summary", response_model=list[RegionCampaigns])
async def campaigns_summary(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    digits: Annotated[int, Query(description="Region level: 6 county, 9 township")] = 6,
) -> list[RegionCampaigns]:
    """Per region: campaigns registered, launched (and since closed) and amount raised."""
    async with runtime.sessions() as session:
        return await summary_by_region(
            session, FundRecord.region_code.startswith(scope_prefix(caller.region)), digits
        )


@router.get("/funds/{fund_id}/progress", response_model=CampaignProgress)
async def campaign_progress(
    fund_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> CampaignProgress:
    fund = await fund_of_caller(runtime, caller, fund_id)
    async with runtime.sessions() as session:
        found = await campaigns_where(session, FundRecord.id == fund.id)
    if not found:
        raise NotFound(f"fund {fund_id} is not a campaign / 该基金不是募捐项目", field="fund_id")
    return found[0]
