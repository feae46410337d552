"""Finding and opening a fund's accounts."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.charity.adapters.accounts_orm import AccountRecord
from wushe.charity.domain.accounts import AccountKind, holding_code, standard_accounts
from wushe.charity.domain.restrictions import Restriction


def open_standard_accounts(session: AsyncSession, fund_id: str) -> None:
    for code, kind in standard_accounts():
        session.add(_account(fund_id, code, kind, None))


async def account_id(session: AsyncSession, fund_id: str, code: str) -> str | None:
    found: str | None = await session.scalar(
        select(AccountRecord.id).where(AccountRecord.fund_id == fund_id, AccountRecord.code == code)
    )
    return found


async def holding_account(
    session: AsyncSession, fund_id: str, restriction: Restriction | None
) -> str:
    """The account holding money under ``restriction``, opened with its first donation.

    Callers hold the fund's receipt counter, so two donations never open it twice.
    """
    code = holding_code(restriction)
    found = await account_id(session, fund_id, code)
    if found is not None:
        return found
    account = _account(fund_id, code, AccountKind.HOLDING, restriction)
    session.add(account)
    await session.flush()
    return account.id


async def require_account(session: AsyncSession, fund_id: str, code: str) -> str:
    found = await account_id(session, fund_id, code)
    if found is None:
        raise LookupError(f"fund {fund_id} has no account {code}")
    return found


def _account(
    fund_id: str, code: str, kind: AccountKind, restriction: Restriction | None
) -> AccountRecord:
    return AccountRecord(
        id=str(uuid7()),
        fund_id=fund_id,
        code=code,
        kind=kind.value,
        holding=kind is AccountKind.HOLDING,
        restriction_kind=restriction.kind.value if restriction else None,
        restriction_target=restriction.target if restriction else None,
        balance_fen=0,
        opened_at=datetime.now(UTC),
    )
