"""Reading the time bank: an account's balance and history, the region's figures, and
the check that every cached balance equals the sum of its entries."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.time_bank_orm import TimeBankAccount, TimeBankEntry
from wushe.charity.domain.time_bank import EARNING_KINDS, EntryKind


@dataclass(frozen=True)
class Balance:
    account: TimeBankAccount
    derived_minutes: int
    entries: int


@dataclass(frozen=True)
class RegionHours:
    region_code: str
    volunteers: int
    earned_minutes: int
    spent_minutes: int
    donated_minutes: int


@dataclass(frozen=True)
class Difference:
    account_id: str
    cached_minutes: int
    derived_minutes: int


async def balance_of(session: AsyncSession, account_id: str) -> Balance | None:
    account = await session.get(TimeBankAccount, account_id)
    if account is None:
        return None
    derived, entries = (
        await session.execute(
            select(func.coalesce(func.sum(TimeBankEntry.minutes), 0), func.count()).where(
                TimeBankEntry.account_id == account_id
            )
        )
    ).one()
    return Balance(account, int(derived), int(entries))


async def history_of(
    session: AsyncSession, account_id: str, *, limit: int, offset: int
) -> list[TimeBankEntry]:
    """The account's entries, oldest first (ids are time-ordered)."""
    rows = await session.scalars(
        select(TimeBankEntry)
        .where(TimeBankEntry.account_id == account_id)
        .order_by(TimeBankEntry.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


def _earned_and_spent(original: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Whether an entry counts as earned, or as spent: a reversal counts with the kind it
    cancels (``original``: the reversed entry, outer-joined)."""
    earning_kinds = [kind.value for kind in EARNING_KINDS]
    reversal = TimeBankEntry.kind == EntryKind.REVERSAL.value
    earned = TimeBankEntry.kind.in_(earning_kinds) | (reversal & original.c.kind.in_(earning_kinds))
    spent = (TimeBankEntry.kind == EntryKind.SPENT.value) | (
        reversal & (original.c.kind == EntryKind.SPENT.value)
    )
    return earned, spent


def _earning() -> ColumnElement[bool]:
    """Hours earned in the period make a volunteer count, not a correction alone."""
    return TimeBankEntry.kind.in_([kind.value for kind in EARNING_KINDS])


def _reversed() -> Any:
    return TimeBankEntry.__table__.alias("original")


async def volunteers_earning(
    session: AsyncSession, region_prefix: str, start: date, end: date
) -> int:
    """Volunteers who earned hours in the region over the period, each counted once."""
    count = await session.scalar(
        select(func.count(distinct(TimeBankEntry.account_id))).where(
            _earning(),
            TimeBankEntry.region_code.startswith(region_prefix),
            TimeBankEntry.occurred_on.between(start, end),
        )
    )
    return int(count or 0)


async def hours_by_region(
    session: AsyncSession, region_prefix: str, start: date, end: date
) -> list[RegionHours]:
    """Per region code where the work was done: volunteers who earned hours in the period
    and the minutes earned (net of reversals), spent and donated."""
    original = _reversed()
    earned, spent = _earned_and_spent(original)
    query = (
        select(
            TimeBankEntry.region_code,
            func.count(distinct(case((_earning(), TimeBankEntry.account_id)))),
            func.coalesce(func.sum(case((earned, TimeBankEntry.minutes), else_=0)), 0),
            func.coalesce(func.sum(case((spent, -TimeBankEntry.minutes), else_=0)), 0),
            func.coalesce(
                func.sum(
                    case(
                        (TimeBankEntry.kind == EntryKind.DONATED.value, -TimeBankEntry.minutes),
                        else_=0,
                    )
                ),
                0,
            ),
        )
        .outerjoin(original, original.c.id == TimeBankEntry.reverses_entry_id)
        .where(
            TimeBankEntry.region_code.startswith(region_prefix),
            TimeBankEntry.occurred_on.between(start, end),
        )
        .group_by(TimeBankEntry.region_code)
        .order_by(TimeBankEntry.region_code)
    )
    rows = (await session.execute(query)).all()
    return [
        RegionHours(region, int(volunteers), int(earned_), int(spent_), int(donated))
        for region, volunteers, earned_, spent_, donated in rows
    ]


async def balance_differences(session: AsyncSession, region_prefix: str) -> list[Difference]:
    """Accounts whose cached balance is not the sum of their entries (none, normally)."""
    totals = (
        select(TimeBankEntry.account_id, func.sum(TimeBankEntry.minutes).label("derived"))
        .group_by(TimeBankEntry.account_id)
        .subquery()
    )
    rows = (
        await session.execute(
            select(TimeBankAccount.id, TimeBankAccount.balance_minutes, totals.c.derived)
            .outerjoin(totals, totals.c.account_id == TimeBankAccount.id)
            .where(TimeBankAccount.region_code.startswith(region_prefix))
            .where(TimeBankAccount.balance_minutes != func.coalesce(totals.c.derived, 0))
            .order_by(TimeBankAccount.id)
        )
    ).all()
    return [
        Difference(account, int(cached), int(derived or 0)) for account, cached, derived in rows
    ]
