"""Locking one row for the rest of a transaction, on PostgreSQL and on SQLite."""

from typing import TypeVar

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.orm import Base

Row = TypeVar("Row", bound=Base)


async def locked(session: AsyncSession, model: type[Row], row_id: str) -> Row | None:
    """The row, locked until the transaction ends, read after any write committed before
    the lock was granted; None if there is no such row.

    PostgreSQL locks the row (SELECT … FOR UPDATE). SQLite has no row locks, and its
    driver reads outside a transaction until the first write, so a write that changes
    nothing takes the database's write lock first and the read that follows is current.
    """
    if session.bind.dialect.name == "sqlite":
        table = model.__table__
        assert isinstance(table, Table)
        await session.execute(update(table).where(table.c.id == row_id).values(id=table.c.id))
    # populate_existing: the session may hold an older copy of the row.
    return await session.get(model, row_id, with_for_update=True, populate_existing=True)
