"""The sharing ledger's lines a transaction makes, written together as it commits.

Their ids come from the database, so the ORM would insert them one statement per line;
the table's own INSERT executed with many rows writes a whole batch's lines in one.
Nothing reads a line back in the transaction that makes it, so holding them until the
commit changes nothing anyone sees.
"""

from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from wushe.notify.adapters.orm import Base
from wushe.notify.adapters.sharing_orm import SharingLedgerRecord

_PENDING = "notify.sharing_ledger_lines"
_TABLE = Base.metadata.tables[SharingLedgerRecord.__tablename__]


def add_ledger_line(session: AsyncSession, line: dict[str, Any]) -> None:
    """``line``: the row's values by column name, without ``id``."""
    session.info.setdefault(_PENDING, []).append(line)


@event.listens_for(Session, "before_commit")
def _write_lines(session: Session) -> None:
    lines = session.info.pop(_PENDING, None)
    if lines:
        session.execute(insert(_TABLE), lines)


@event.listens_for(Session, "after_transaction_end")
def _drop_unwritten(session: Session, transaction: SessionTransaction) -> None:
    # A transaction rolled back takes its lines with it.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
