"""Shared by charity's integration tests: a migrated charity database, desks for a clerk
and an approver, funds, persons on the ledger, and what the journal says."""

import uuid
from datetime import date

from sqlalchemy import func, select

from integration.conftest import MigratedDatabase, Sessions
from wushe.charity.adapters.accounts_orm import AccountRecord, JournalLineRecord
from wushe.charity.adapters.orm import DonationRecord
from wushe.charity.bootstrap import MIGRATIONS
from wushe.charity.domain.donation import Channel, DonationEntry
from wushe.charity.domain.funds import FundKind, FundOpening
from wushe.charity.domain.restrictions import Restriction
from wushe.charity.service_layer.donations import Desk, record_donation
from wushe.charity.service_layer.funds import open_fund
from wushe.charity.service_layer.persons import file_opened
from wushe.shared.auth import Caller, Role
from wushe.shared.events import EventEnvelope, Producer
from wushe.shared.messaging_tables import outbox
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

CHARITY = Producer(service="charity", deployment="test")
REGION = "420704"
CIPHER = Settings().field_cipher()
CLERK = Desk(Caller(subject="clerk-1", role=Role.STATION_STAFF, region=REGION), CHARITY, CIPHER)
APPROVER = Desk(Caller(subject="director-2", role=Role.ADMIN, region=REGION), CHARITY, CIPHER)


async def charity_books(migrated_database: MigratedDatabase) -> Sessions:
    return await migrated_database("charity", MIGRATIONS)


async def a_fund(
    sessions: Sessions, *, threshold_fen: int = 0, kind: FundKind = FundKind.COMMUNITY,
    goal_fen: int | None = None, region_code: str = REGION,
    starts_on: date | None = None, ends_on: date | None = None,
) -> uuid.UUID:  # fmt: skip
    opening = FundOpening(
        name="鄂城区社区慈善基金", code=f"F{uuid.uuid4().hex[:8].upper()}", region_code=region_code,
        kind=kind, goal_fen=goal_fen, balance_low_threshold_fen=threshold_fen,
        starts_on=starts_on, ends_on=ends_on,
    )  # fmt: skip
    return await open_fund(UnitOfWork(sessions), opening, CHARITY)


async def give(
    sessions: Sessions, fund_id: uuid.UUID, amount_fen: int, *,
    restriction: Restriction | None = None, donor_name: str | None = None,
    anonymous: bool = False, channel: Channel = Channel.CASH,
) -> DonationRecord:  # fmt: skip
    entry = DonationEntry(amount_fen=amount_fen, channel=channel, donor_name=donor_name,
                          anonymous=anonymous, restriction=restriction)  # fmt: skip
    return await record_donation(UnitOfWork(sessions), fund_id, entry, CLERK)


async def on_ledger(sessions: Sessions, groups: list[str] | None = None) -> str:
    person_id = str(uuid.uuid4())
    async with UnitOfWork(sessions) as uow:
        await file_opened(uow.session, person_id, "420704001003", groups or [])
        await uow.commit()
    return person_id


async def unbalanced_entries(sessions: Sessions) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(
            select(JournalLineRecord.entry_id)
            .group_by(JournalLineRecord.entry_id)
            .having(func.sum(JournalLineRecord.amount_fen) != 0)
        )
        return [row[0] for row in rows]


async def balances(sessions: Sessions, fund_id: uuid.UUID) -> dict[str, tuple[int, int]]:
    """Per account code: (cached balance, sum of its journal lines)."""
    async with sessions() as session:
        sums = (
            select(JournalLineRecord.account_id, func.sum(JournalLineRecord.amount_fen).label("s"))
            .group_by(JournalLineRecord.account_id)
            .subquery()
        )
        rows = await session.execute(
            select(AccountRecord.code, AccountRecord.balance_fen, sums.c.s)
            .outerjoin(sums, sums.c.account_id == AccountRecord.id)
            .where(AccountRecord.fund_id == str(fund_id))
        )
        return {code: (cached, int(summed or 0)) for code, cached, summed in rows}


async def emitted(sessions: Sessions, event_type: str) -> list[EventEnvelope]:
    async with sessions() as session:
        bodies = await session.scalars(
            select(outbox.c.body).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        )
        return [EventEnvelope.model_validate_json(body) for body in bodies]
