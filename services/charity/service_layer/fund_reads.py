"""Funds with their balances (the cached balances of their holding accounts) and accounts."""

from uuid import UUID

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.accounts_orm import AccountRecord
from wushe.charity.adapters.orm import DonationRecord, FundRecord
from wushe.charity.domain.donation import DonationStatus
from wushe.charity.service_layer.read_models import AccountView, FundView


async def funds_where(session: AsyncSession, condition: ColumnElement[bool]) -> list[FundView]:
    balances = (
        select(AccountRecord.fund_id, func.sum(AccountRecord.balance_fen).label("balance"))
        .where(AccountRecord.holding.is_(True))
        .group_by(AccountRecord.fund_id)
        .subquery()
    )
    counts = (
        select(DonationRecord.fund_id, func.count().label("donations"))
        .where(DonationRecord.status == DonationStatus.RECEIVED)
        .group_by(DonationRecord.fund_id)
        .subquery()
    )
    query = (
        select(FundRecord, balances.c.balance, counts.c.donations)
        .outerjoin(balances, balances.c.fund_id == FundRecord.id)
        .outerjoin(counts, counts.c.fund_id == FundRecord.id)
        .where(condition)
        .order_by(FundRecord.name)
    )
    rows = (await session.execute(query)).all()
    return [
        FundView(
            fund_id=UUID(fund.id),
            code=fund.code,
            name=fund.name,
            region_code=fund.region_code,
            manager_partner_ids=[UUID(p) for p in fund.manager_partner_ids],
            kind=fund.kind,
            status=fund.status,
            goal_fen=fund.goal_fen,
            starts_on=fund.starts_on,
            ends_on=fund.ends_on,
            balance_low_threshold_fen=fund.balance_low_threshold_fen,
            balance_fen=int(balance or 0),
            donations=int(donations or 0),
        )
        for fund, balance, donations in rows
    ]


async def accounts_of(session: AsyncSession, fund_id: str) -> list[AccountView]:
    accounts = await session.scalars(
        select(AccountRecord).where(AccountRecord.fund_id == fund_id).order_by(AccountRecord.code)
    )
    return [
        AccountView(
            account_id=UUID(account.id),
            code=account.code,
            kind=account.kind,
            restriction_kind=account.restriction_kind,
            restriction_target=account.restriction_target,
            balance_fen=account.balance_fen,
        )
        for account in accounts
    ]
