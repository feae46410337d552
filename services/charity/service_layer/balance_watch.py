"""A fund's balance (what its holding accounts hold) and the alert when it runs low."""

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.accounts_orm import AccountRecord
from wushe.charity.adapters.orm import FundRecord
from wushe.shared.events import Producer, new_event
from wushe.shared.events.charity import FundBalanceLow
from wushe.shared.unit_of_work import UnitOfWork


async def fund_balance(session: AsyncSession, fund_id: str) -> int:
    total = await session.scalar(
        select(func.sum(AccountRecord.balance_fen)).where(
            AccountRecord.fund_id == fund_id, AccountRecord.holding.is_(True)
        )
    )
    return int(total or 0)


async def warn_if_low(
    uow: UnitOfWork, fund: FundRecord, before_fen: int, producer: Producer, actor: str
) -> None:
    """`fund.balance_low` once, when the balance crosses the threshold downwards."""
    threshold = fund.balance_low_threshold_fen
    after = await fund_balance(uow.session, fund.id)
    if threshold > 0 and before_fen >= threshold > after:
        payload = FundBalanceLow(fund_id=UUID(fund.id), balance_fen=after, threshold_fen=threshold)
        await uow.emit(
            new_event(payload, subject=fund.id, region_code=fund.region_code,
                      producer=producer, actor=actor)
        )  # fmt: skip
