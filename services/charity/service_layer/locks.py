"""Serialising the commands that move a fund's money.

PostgreSQL: ``SELECT ... FOR UPDATE`` on the fund's row (and then on its account rows)
makes concurrent approvals wait for each other and read the balance the previous one
left. SQLite's driver starts a transaction only at the first write and serialises
writers: writing first takes the database's write lock before anything is read.
"""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.orm import FundRecord
from wushe.charity.domain.refusals import NotFound


async def lock_fund(session: AsyncSession, fund_id: str) -> FundRecord:
    """The fund, locked against other writers until the transaction ends."""
    if session.bind.dialect.name == "sqlite":
        await session.execute(
            update(FundRecord).where(FundRecord.id == fund_id).values(code=FundRecord.code)
        )
    fund = await session.scalar(
        select(FundRecord)
        .where(FundRecord.id == fund_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if fund is None:
        raise NotFound(f"no fund {fund_id} / 没有该基金", field="fund_id")
    return fund
