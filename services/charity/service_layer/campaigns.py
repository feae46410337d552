"""Campaign progress (raised, % of goal, donors) and the per-region summary
(registered, launched, raised), like 幸福家园's 114 registered and 74 launched."""

from uuid import UUID

from sqlalchemy import ColumnElement, Subquery, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.orm import DonationRecord, FundRecord
from wushe.charity.domain.donation import DonationStatus
from wushe.charity.domain.funds import FundKind, FundStatus, percent_of_goal
from wushe.charity.service_layer.read_models import CampaignProgress, RegionCampaigns


def _raised() -> Subquery:
    named = (DonationRecord.donor_id.is_not(None)) & DonationRecord.anonymous.is_(False)
    return (
        select(
            DonationRecord.fund_id,
            func.sum(DonationRecord.amount_fen).label("raised"),
            func.count().label("donations"),
            # Anonymous donations, and those without a donor on record, count one donor each.
            func.count(distinct(case((named, DonationRecord.donor_id)))).label("named"),
            func.sum(case((named, 0), else_=1)).label("unnamed"),
        )
        .where(DonationRecord.status == DonationStatus.RECEIVED)
        .group_by(DonationRecord.fund_id)
        .subquery()
    )


async def campaigns_where(
    session: AsyncSession, condition: ColumnElement[bool]
) -> list[CampaignProgress]:
    raised = _raised()
    rows = await session.execute(
        select(FundRecord, raised.c.raised, raised.c.donations, raised.c.named, raised.c.unnamed)
        .outerjoin(raised, raised.c.fund_id == FundRecord.id)
        .where(FundRecord.kind == FundKind.CAMPAIGN, condition)
        .order_by(FundRecord.opened_at)
    )
    return [
        CampaignProgress(
            fund_id=UUID(fund.id),
            name=fund.name,
            region_code=fund.region_code,
            status=fund.status,
            goal_fen=fund.goal_fen,
            starts_on=fund.starts_on,
            ends_on=fund.ends_on,
            raised_fen=int(total or 0),
            goal_percent=percent_of_goal(int(total or 0), fund.goal_fen),
            donors=int(named or 0) + int(unnamed or 0),
            donations=int(donations or 0),
        )
        for fund, total, donations, named, unnamed in rows
    ]


async def summary_by_region(
    session: AsyncSession, condition: ColumnElement[bool], digits: int
) -> list[RegionCampaigns]:
    """Campaigns per region cut to ``digits`` (6: county, 9: township, 12: village)."""
    raised = _raised()
    region = func.substr(FundRecord.region_code, 1, digits).label("region")
    has_launched = FundRecord.status.in_([FundStatus.LAUNCHED, FundStatus.CLOSED])
    rows = await session.execute(
        select(
            region,
            func.count(),
            func.sum(case((has_launched, 1), else_=0)),
            func.sum(case((FundRecord.status == FundStatus.CLOSED, 1), else_=0)),
            func.sum(func.coalesce(raised.c.raised, 0)),
        )
        .outerjoin(raised, raised.c.fund_id == FundRecord.id)
        .where(FundRecord.kind == FundKind.CAMPAIGN, condition)
        .group_by(region)
        .order_by(region)
    )
    return [
        RegionCampaigns(
            region_code=code,
            registered=int(registered),
            launched=int(launched or 0),
            closed=int(closed or 0),
            raised_fen=int(total or 0),
        )
        for code, registered, launched, closed, total in rows
    ]
