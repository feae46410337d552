"""Rows a routing transaction makes (alerts, their routing records, sharing-ledger lines),
written together instead of as ORM objects.

Routing makes a few rows per alert and reads none of them back, except where a merge
looks for an earlier alert or the fresh alerts are leased: those call ``write_pending``
first. As ORM objects each row cost more to build and flush than its INSERT; held as
column values, a table's rows go in one INSERT executed with many rows, when a read
needs them or as the transaction commits, in the order their tables were first added
to.
"""

from typing import Any

from sqlalchemy import Table, event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

_PENDING = "notify.pending_rows"

Rows = dict[Table, list[dict[str, Any]]]


def add_row(session: AsyncSession, table: Table, row: dict[str, Any]) -> None:
    """``row``: every column's value by name, as the table's INSERT takes them."""
    pending: Rows = session.info.setdefault(_PENDING, {})
    pending.setdefault(table, []).append(row)


async def write_pending(session: AsyncSession) -> None:
    """Before a read of the tables in the same transaction."""
    if _PENDING in session.info:
        await session.run_sync(_write_rows)


@event.listens_for(Session, "before_commit")
def _write_rows(session: Session) -> None:
    pending: Rows | None = session.info.pop(_PENDING, None)
    for table, rows in (pending or {}).items():
        session.execute(insert(table), rows)


@event.listens_for(Session, "after_transaction_end")
def _drop_unwritten(session: Session, transaction: SessionTransaction) -> None:
    # A transaction rolled back takes its rows with it.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
