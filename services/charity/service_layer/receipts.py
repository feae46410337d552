"""Receipt numbers: one sequence per fund and year, each number given out once."""

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.orm import ReceiptCounter
from wushe.shared.db import conflict_insert


async def next_receipt_sequence(session: AsyncSession, fund_id: str, year: int) -> int:
    """Counts up in one statement: concurrent donations to a fund wait for each other on
    the counter's row (PostgreSQL) or the write lock (SQLite), and never share a number.
    Being the command's first write, it also serialises the postings that follow."""
    statement = (
        conflict_insert(session, ReceiptCounter)
        .values(fund_id=fund_id, year=year, last_sequence=1)
        .on_conflict_do_update(
            index_elements=[ReceiptCounter.fund_id, ReceiptCounter.year],
            set_={"last_sequence": ReceiptCounter.last_sequence + 1},
        )
        .returning(ReceiptCounter.last_sequence)
    )
    return int((await session.execute(statement)).scalar_one())
