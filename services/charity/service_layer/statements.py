"""A fund's or campaign's public monthly statement (公示): balances from its journal,
money in and out from its donations and disbursements, checked against each other.

Public means no personal data: money paid to persons is counted, never named; donors
are named only when they did not ask for anonymity.
"""

from datetime import UTC, date, datetime
from uuid import UUID

import structlog
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.accounts_orm import (
    AccountRecord,
    JournalEntryRecord,
    JournalLineRecord,
)
from wushe.charity.adapters.disbursement_orm import DisbursementRecord
from wushe.charity.adapters.orm import DonationRecord, DonorRecord, FundRecord
from wushe.charity.domain.donation import Channel, DonationStatus
from wushe.charity.domain.journal import EntryKind
from wushe.charity.domain.refusals import NotFound
from wushe.charity.domain.statement_month import CHINA, StatementMonth
from wushe.charity.service_layer.donors import NAME
from wushe.shared.field_encryption import FieldCipher

ANONYMOUS = "匿名"
log = structlog.get_logger(__name__)


class Tally(BaseModel):
    count: int = 0
    total_fen: int = 0


class ChannelTally(Tally):
    channel: str


class ProjectTally(Tally):
    project_id: str


class DonationsIn(Tally):
    by_channel: list[ChannelTally]


class Reversals(BaseModel):
    """Donations of any month taken back this month: refunded, or corrected (the
    correcting donation is among this month's donations)."""

    refunds: Tally
    corrections: Tally


class DisbursedOut(Tally):
    to_persons: Tally = Field(description="Counted only: persons are never named")
    to_projects: list[ProjectTally]


class DonorLine(BaseModel):
    received_on: date
    donor: str = Field(description=f"The donor's name, or {ANONYMOUS} when they asked for it")
    amount_fen: int
    channel: str
    receipt_number: str
    status: str


class FundStatement(BaseModel):
    fund_id: UUID
    fund_code: str
    fund_name: str
    fund_kind: str
    region_code: str
    month: str
    period_starts_at: datetime
    period_ends_at: datetime
    opening_balance_fen: int
    donations_in: DonationsIn
    reversals: Reversals
    disbursed_out: DisbursedOut
    other_movements_fen: int = Field(description="Opening balances carried into the fund")
    closing_balance_fen: int
    adds_up: bool = Field(
        description="opening + donations in − reversals − disbursed out + other = closing"
    )
    donors: list[DonorLine]


async def monthly_statement(
    session: AsyncSession, fund_id: UUID, month: StatementMonth, cipher: FieldCipher
) -> FundStatement:
    """Read in one snapshot (the caller's session), so that the figures agree."""
    fund = await session.get(FundRecord, str(fund_id))
    if fund is None:
        raise NotFound(f"no fund {fund_id} / 没有该基金", field="fund_id")
    start, end = month.starts_at, month.ends_at
    opening = await _holding_balance_before(session, fund.id, start)
    closing = await _holding_balance_before(session, fund.id, end)
    movements = await _holding_movements(session, fund.id, start, end)
    donations_in, donors = await _donations(session, fund.id, start, end, cipher)
    reversals = await _reversals(session, fund.id, start, end)
    disbursed = await _disbursements(session, fund.id, start, end)
    other = sum(
        amount
        for kind, amount in movements.items()
        if kind not in (EntryKind.DONATION, EntryKind.DONATION_REVERSAL, EntryKind.DISBURSEMENT)
    )
    taken_back = reversals.refunds.total_fen + reversals.corrections.total_fen
    adds_up = opening + donations_in.total_fen - taken_back - disbursed.total_fen + other == closing
    if not adds_up:
        log.error("statement does not add up", fund_id=fund.id, month=str(month))
    return FundStatement(
        fund_id=UUID(fund.id), fund_code=fund.code, fund_name=fund.name, fund_kind=fund.kind,
        region_code=fund.region_code, month=str(month), period_starts_at=start,
        period_ends_at=end, opening_balance_fen=opening, donations_in=donations_in,
        reversals=reversals, disbursed_out=disbursed, other_movements_fen=other,
        closing_balance_fen=closing, adds_up=adds_up, donors=donors,
    )  # fmt: skip


def _holding_accounts(fund_id: str) -> Select[tuple[str]]:
    return select(AccountRecord.id).where(
        AccountRecord.fund_id == fund_id, AccountRecord.holding.is_(True)
    )


async def _holding_balance_before(session: AsyncSession, fund_id: str, moment: datetime) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(JournalLineRecord.amount_fen), 0))
        .join(JournalEntryRecord, JournalEntryRecord.id == JournalLineRecord.entry_id)
        .where(
            JournalEntryRecord.fund_id == fund_id,
            JournalEntryRecord.posted_at < moment,
            JournalLineRecord.account_id.in_(_holding_accounts(fund_id)),
        )
    )
    return int(total or 0)


async def _holding_movements(
    session: AsyncSession, fund_id: str, start: datetime, end: datetime
) -> dict[str, int]:
    rows = await session.execute(
        select(JournalEntryRecord.kind, func.sum(JournalLineRecord.amount_fen))
        .join(JournalEntryRecord, JournalEntryRecord.id == JournalLineRecord.entry_id)
        .where(
            JournalEntryRecord.fund_id == fund_id,
            JournalEntryRecord.posted_at >= start,
            JournalEntryRecord.posted_at < end,
            JournalLineRecord.account_id.in_(_holding_accounts(fund_id)),
        )
        .group_by(JournalEntryRecord.kind)
    )
    return {kind: int(amount or 0) for kind, amount in rows}


async def _donations(
    session: AsyncSession, fund_id: str, start: datetime, end: datetime, cipher: FieldCipher
) -> tuple[DonationsIn, list[DonorLine]]:
    """The donations whose entry was posted this month, later reversed ones included."""
    rows = (
        await session.execute(
            select(DonationRecord, DonorRecord.name_encrypted)
            .join(JournalEntryRecord, JournalEntryRecord.id == DonationRecord.entry_id)
            .outerjoin(DonorRecord, DonorRecord.id == DonationRecord.donor_id)
            .where(
                DonationRecord.fund_id == fund_id,
                JournalEntryRecord.posted_at >= start,
                JournalEntryRecord.posted_at < end,
            )
            .order_by(DonationRecord.received_at, DonationRecord.receipt_number)
        )
    ).all()
    by_channel = {channel.value: ChannelTally(channel=channel.value) for channel in Channel}
    donors = []
    for donation, sealed_name in rows:
        tally = by_channel.setdefault(donation.channel, ChannelTally(channel=donation.channel))
        tally.count += 1
        tally.total_fen += donation.amount_fen
        named = not donation.anonymous and sealed_name is not None
        donors.append(
            DonorLine(
                received_on=_china_day(donation.received_at),
                donor=cipher.decrypt(sealed_name, NAME) if named else ANONYMOUS,
                amount_fen=donation.amount_fen,
                channel=donation.channel,
                receipt_number=donation.receipt_number,
                status=donation.status,
            )
        )
    channels = list(by_channel.values())
    totals = DonationsIn(
        count=sum(tally.count for tally in channels),
        total_fen=sum(tally.total_fen for tally in channels),
        by_channel=channels,
    )
    return totals, donors


async def _reversals(
    session: AsyncSession, fund_id: str, start: datetime, end: datetime
) -> Reversals:
    rows = await session.execute(
        select(DonationRecord.status, func.count(), func.sum(DonationRecord.amount_fen))
        .join(JournalEntryRecord, JournalEntryRecord.id == DonationRecord.reversal_entry_id)
        .where(
            DonationRecord.fund_id == fund_id,
            JournalEntryRecord.posted_at >= start,
            JournalEntryRecord.posted_at < end,
        )
        .group_by(DonationRecord.status)
    )
    found = {status: Tally(count=count, total_fen=int(total or 0)) for status, count, total in rows}
    return Reversals(
        refunds=found.get(DonationStatus.REFUNDED.value, Tally()),
        corrections=found.get(DonationStatus.CORRECTED.value, Tally()),
    )


async def _disbursements(
    session: AsyncSession, fund_id: str, start: datetime, end: datetime
) -> DisbursedOut:
    rows = await session.execute(
        select(
            DisbursementRecord.project_id,
            func.count(),
            func.sum(DisbursementRecord.amount_fen),
        )
        .join(JournalEntryRecord, JournalEntryRecord.id == DisbursementRecord.entry_id)
        .where(
            DisbursementRecord.fund_id == fund_id,
            JournalEntryRecord.posted_at >= start,
            JournalEntryRecord.posted_at < end,
        )
        .group_by(DisbursementRecord.project_id)
        .order_by(DisbursementRecord.project_id)
    )
    to_persons = Tally()
    to_projects = []
    for project_id, count, total in rows:
        if project_id is None:
            to_persons = Tally(count=count, total_fen=int(total or 0))
        else:
            to_projects.append(
                ProjectTally(project_id=project_id, count=count, total_fen=int(total or 0))
            )
    return DisbursedOut(
        count=to_persons.count + sum(project.count for project in to_projects),
        total_fen=to_persons.total_fen + sum(project.total_fen for project in to_projects),
        to_persons=to_persons,
        to_projects=to_projects,
    )


def _china_day(moment: datetime) -> date:
    # SQLite gives back the UTC time it stored, without its zone.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(CHINA).date()
