"""Moving minutes on an account: the one place a balance changes.

Each movement locks the account's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
lets one writer at a time), checks the balance stays at or above zero, and writes the
entry with the balance after it, in the caller's transaction.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.charity.adapters.time_bank_orm import TimeBankAccount, TimeBankEntry
from wushe.charity.domain.refusals import Refused
from wushe.charity.domain.time_bank import EntryKind, Overdrawn, balance_after, holder_of
from wushe.shared.db import conflict_insert


@dataclass(frozen=True)
class Movement:
    account_id: str
    kind: EntryKind
    minutes: int
    region_code: str
    occurred_on: date
    recorded_by: str | None


async def open_account(session: AsyncSession, account_id: str, region_code: str) -> None:
    """Open the account unless it exists; the region is the one of its first movement.
    An insert that ignores a conflict, so that two first movements do not collide."""
    await session.execute(
        conflict_insert(session, TimeBankAccount)
        .values(
            id=account_id,
            holder_kind=holder_of(account_id).value,
            region_code=region_code,
            balance_minutes=0,
            opened_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )


async def locked_account(session: AsyncSession, account_id: str) -> TimeBankAccount | None:
    query = (
        select(TimeBankAccount)
        .where(TimeBankAccount.id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    account: TimeBankAccount | None = await session.scalar(query)
    return account


async def move(
    session: AsyncSession, movement: Movement, *, field: str = "minutes", **refs: object
) -> TimeBankEntry:
    """Write one entry and the account's new balance; refuses (naming ``field``) what
    would overdraw the account. ``refs`` are the entry's references (source, log, …)."""
    await open_account(session, movement.account_id, movement.region_code)
    account = await locked_account(session, movement.account_id)
    assert account is not None
    try:
        after = balance_after(account.id, account.balance_minutes, movement.minutes)
    except Overdrawn as error:
        raise Refused(str(error), field=field) from None
    account.balance_minutes = after
    entry = TimeBankEntry(
        id=str(uuid7()),
        account_id=account.id,
        kind=movement.kind.value,
        minutes=movement.minutes,
        balance_after=after,
        region_code=movement.region_code,
        occurred_on=movement.occurred_on,
        recorded_at=datetime.now(UTC),
        recorded_by=movement.recorded_by,
        **({"defaulted": False} | refs),
    )
    session.add(entry)
    await session.flush()
    return entry
