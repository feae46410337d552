"""Posting journal entries: lines that sum to zero, and the cached balances of their
accounts updated in the same transaction."""

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.charity.adapters.accounts_orm import (
    AccountRecord,
    JournalEntryRecord,
    JournalLineRecord,
)
from wushe.charity.domain.journal import EntryKind, Line, balanced, movement_per_account, reversing
from wushe.charity.domain.refusals import NotFound, Overdrawn


async def post_entry(
    session: AsyncSession,
    fund_id: str,
    kind: EntryKind,
    lines: list[Line],
    *,
    posted_by: str,
    reversal_of: str | None = None,
) -> str:
    """Post ``lines`` as one entry; refuses (and the caller rolls back) if a holding
    account would go below zero."""
    entry_id = str(uuid7())
    session.add(
        JournalEntryRecord(
            id=entry_id, fund_id=fund_id, kind=kind.value, posted_at=datetime.now(UTC),
            posted_by=posted_by, reversal_of=reversal_of,
        )
    )  # fmt: skip
    await session.flush()
    session.add_all(
        JournalLineRecord(entry_id=entry_id, account_id=line.account_id, amount_fen=line.amount_fen)
        for line in balanced(lines)
    )
    changes = movement_per_account(lines)
    # Locked in id order, so that two postings never wait for each other in a circle.
    accounts = (
        await session.scalars(
            select(AccountRecord)
            .where(AccountRecord.id.in_(changes))
            .order_by(AccountRecord.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    for account in accounts:
        after = account.balance_fen + changes[account.id]
        if account.holding and after < 0:
            raise Overdrawn(
                f"account {account.code} holds {account.balance_fen} fen, {-changes[account.id]} "
                "needed / 余额不足",
                field="amount_fen",
            )
        await session.execute(
            update(AccountRecord)
            .where(AccountRecord.id == account.id)
            .values(balance_fen=AccountRecord.balance_fen + changes[account.id])
        )
    await session.flush()
    return entry_id


async def reverse_entry(
    session: AsyncSession, entry_id: str, kind: EntryKind, *, posted_by: str
) -> str:
    """Post the entry that undoes ``entry_id``; the original stays as it was."""
    original = await session.get(JournalEntryRecord, entry_id)
    if original is None:
        raise NotFound(f"no journal entry {entry_id} / 没有该分录", field="entry_id")
    rows = (
        await session.scalars(
            select(JournalLineRecord).where(JournalLineRecord.entry_id == entry_id)
        )
    ).all()
    lines = reversing([Line(row.account_id, row.amount_fen) for row in rows])
    return await post_entry(
        session, original.fund_id, kind, lines, posted_by=posted_by, reversal_of=entry_id
    )
