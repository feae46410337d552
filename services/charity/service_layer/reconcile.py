"""Reconciliation: every cached figure recomputed from the movements it summarises.

Each check is one set-based query (sums grouped by account, entry or stock), all read in
one snapshot, so postings committed meanwhile never show up as false differences.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.charity.adapters.accounts_orm import (
    AccountRecord,
    JournalEntryRecord,
    JournalLineRecord,
)
from wushe.charity.adapters.goods_orm import GoodsMovementRecord, GoodsStockRecord
from wushe.charity.adapters.orm import DonationRecord, FundRecord
from wushe.charity.adapters.time_bank_orm import TimeBankAccount, TimeBankEntry
from wushe.charity.domain.donation import DonationStatus
from wushe.shared.db import snapshot


@dataclass(frozen=True)
class Difference:
    """What is stored (``cached``) against what the movements add up to."""

    check: str
    fund: str
    subject: str
    cached: int
    recomputed: int

    @property
    def difference(self) -> int:
        return self.cached - self.recomputed


@dataclass
class Reconciliation:
    accounts: int = 0
    journal_lines: int = 0
    entries: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.differences


Progress = Callable[[str, int, int], None]
Row = tuple[str, str, int, int]

ACCOUNT_BALANCE = "account balance"
UNBALANCED_ENTRY = "entry does not sum to zero"
NEGATIVE_HOLDING = "holding account below zero"
UNALLOCATED = "holding account against its donations"
TIME_BANK = "time bank balance (minutes)"
GOODS_QUANTITY = "goods stock quantity"
GOODS_VALUE = "goods stock value (fen)"


def _account_balances() -> Select[tuple[str, str, int, int, bool, int]]:
    sums = (
        select(
            JournalLineRecord.account_id,
            func.sum(JournalLineRecord.amount_fen).label("total"),
            func.count().label("lines"),
        )
        .group_by(JournalLineRecord.account_id)
        .subquery()
    )
    return (
        select(
            FundRecord.code,
            AccountRecord.code,
            AccountRecord.balance_fen,
            func.coalesce(sums.c.total, 0),
            AccountRecord.holding,
            func.coalesce(sums.c.lines, 0),
        )
        .join(FundRecord, FundRecord.id == AccountRecord.fund_id)
        .outerjoin(sums, sums.c.account_id == AccountRecord.id)
        .order_by(FundRecord.code, AccountRecord.code)
    )


def _unbalanced_entries() -> Select[tuple[str, str, int, int]]:
    sums = (
        select(JournalLineRecord.entry_id, func.sum(JournalLineRecord.amount_fen).label("total"))
        .group_by(JournalLineRecord.entry_id)
        .having((func.sum(JournalLineRecord.amount_fen) != 0) | (func.count() < 2))
        .subquery()
    )
    return (
        select(FundRecord.code, sums.c.entry_id, literal(0), sums.c.total)
        .join(JournalEntryRecord, JournalEntryRecord.id == sums.c.entry_id)
        .join(FundRecord, FundRecord.id == JournalEntryRecord.fund_id)
        .order_by(sums.c.entry_id)
    )


def _unallocated_per_holding() -> Select[tuple[str, str, int, int]]:
    """A holding account holds exactly what its donations still received have not yet
    paid out (``unallocated_fen``)."""
    unallocated = (
        select(
            DonationRecord.account_id,
            func.sum(DonationRecord.unallocated_fen).label("total"),
        )
        .where(DonationRecord.status == DonationStatus.RECEIVED.value)
        .group_by(DonationRecord.account_id)
        .subquery()
    )
    recomputed = func.coalesce(unallocated.c.total, 0)
    return (
        select(FundRecord.code, AccountRecord.code, AccountRecord.balance_fen, recomputed)
        .join(FundRecord, FundRecord.id == AccountRecord.fund_id)
        .outerjoin(unallocated, unallocated.c.account_id == AccountRecord.id)
        .where(AccountRecord.holding.is_(True), AccountRecord.balance_fen != recomputed)
        .order_by(FundRecord.code, AccountRecord.code)
    )


def _time_bank() -> Select[tuple[str, str, int, int]]:
    sums = (
        select(TimeBankEntry.account_id, func.sum(TimeBankEntry.minutes).label("total"))
        .group_by(TimeBankEntry.account_id)
        .subquery()
    )
    recomputed = func.coalesce(sums.c.total, 0)
    return (
        select(
            TimeBankAccount.region_code,
            TimeBankAccount.id,
            TimeBankAccount.balance_minutes,
            recomputed,
        )
        .outerjoin(sums, sums.c.account_id == TimeBankAccount.id)
        .where(TimeBankAccount.balance_minutes != recomputed)
        .order_by(TimeBankAccount.id)
    )


def _goods() -> Select[tuple[str, str, str, str, str, int, int, int, int]]:
    sums = (
        select(
            GoodsMovementRecord.stock_id,
            func.sum(GoodsMovementRecord.quantity_change).label("quantity"),
            func.sum(GoodsMovementRecord.value_change_fen).label("value"),
        )
        .group_by(GoodsMovementRecord.stock_id)
        .subquery()
    )
    quantity, value = func.coalesce(sums.c.quantity, 0), func.coalesce(sums.c.value, 0)
    stock = GoodsStockRecord
    return (
        select(
            stock.station_region,
            stock.id,
            stock.category,
            stock.description,
            stock.unit,
            stock.quantity,
            quantity,
            stock.value_fen,
            value,
        )
        .outerjoin(sums, sums.c.stock_id == stock.id)
        .where((stock.quantity != quantity) | (stock.value_fen != value))
        .order_by(stock.station_region, stock.id)
    )


async def _account_checks(session: AsyncSession, found: Reconciliation) -> None:
    rows = await session.execute(_account_balances())
    for fund, code, cached, summed, holding, lines in rows:
        found.accounts += 1
        found.journal_lines += int(lines)
        if int(cached) != int(summed):
            found.differences.append(
                Difference(ACCOUNT_BALANCE, fund, code, int(cached), int(summed))
            )
        if holding and int(summed) < 0:
            found.differences.append(
                Difference(NEGATIVE_HOLDING, fund, code, int(cached), int(summed))
            )


async def _listed(
    session: AsyncSession, check: str, query: Select[tuple[str, str, int, int]]
) -> list[Difference]:
    rows = await session.execute(query)
    return [
        Difference(check, fund or "?", subject, int(cached), int(recomputed))
        for fund, subject, cached, recomputed in rows
    ]


async def _goods_checks(session: AsyncSession) -> list[Difference]:
    differences = []
    for row in await session.execute(_goods()):
        region, stock_id, category, description, unit = row[:5]
        quantity, summed_quantity, value, summed_value = (int(figure) for figure in row[5:])
        subject = f"{category} {description} ({unit}) {stock_id}"
        if quantity != summed_quantity:
            differences.append(
                Difference(GOODS_QUANTITY, region, subject, quantity, summed_quantity)
            )
        if value != summed_value:
            differences.append(Difference(GOODS_VALUE, region, subject, value, summed_value))
    return differences


STEPS = (
    "account balances against their journal lines",
    "journal entries summing to zero",
    "holding accounts against their donations",
    "time bank balances against their entries",
    "goods stock against its movements",
)


async def reconcile(
    sessions: async_sessionmaker[AsyncSession], progress: Progress | None = None
) -> Reconciliation:
    """Every difference between cached figures and the movements behind them."""
    found = Reconciliation()

    def step(number: int) -> None:
        if progress is not None:
            progress(STEPS[number] if number < len(STEPS) else "done", number, len(STEPS))

    async with snapshot(sessions) as session:
        step(0)
        await _account_checks(session, found)
        step(1)
        unbalanced = await _listed(session, UNBALANCED_ENTRY, _unbalanced_entries())
        found.differences.extend(unbalanced)
        step(2)
        found.differences.extend(await _listed(session, UNALLOCATED, _unallocated_per_holding()))
        step(3)
        found.differences.extend(await _listed(session, TIME_BANK, _time_bank()))
        step(4)
        found.differences.extend(await _goods_checks(session))
        found.entries = int(
            await session.scalar(select(func.count()).select_from(JournalEntryRecord)) or 0
        )
        step(len(STEPS))
    return found
