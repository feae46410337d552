"""Opening funds and recording donations, each with its event in the same transaction."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from uuid6 import uuid7

from wushe.charity.adapters.orm import DonationRecord, FundRecord, ReceiptCounter
from wushe.charity.domain.donation import DonationEntry, FundOpening, receipt_number
from wushe.shared.auth import Caller
from wushe.shared.events import Producer, new_event
from wushe.shared.events.charity import DonationReceived, FundOpened
from wushe.shared.unit_of_work import UnitOfWork


class FundNotFound(LookupError):
    pass


class FundCodeTaken(ValueError):
    pass


async def open_fund(uow: UnitOfWork, opening: FundOpening, producer: Producer) -> UUID:
    async with uow:
        if await uow.session.scalar(select(FundRecord.id).where(FundRecord.code == opening.code)):
            raise FundCodeTaken(f"fund code {opening.code} is already used")
        fund_id = uuid7()
        uow.session.add(
            FundRecord(
                id=str(fund_id),
                code=opening.code,
                name=opening.name,
                region_code=opening.region_code,
                manager_partner_ids=[str(p) for p in opening.manager_partner_ids],
                opened_at=datetime.now(UTC),
            )
        )
        await uow.emit(
            new_event(
                FundOpened(
                    fund_id=fund_id,
                    fund_name=opening.name,
                    region_code=opening.region_code,
                    manager_partner_ids=opening.manager_partner_ids,
                ),
                subject=str(fund_id),
                region_code=opening.region_code,
                producer=producer,
            )
        )
        await uow.commit()
    return fund_id


async def find_fund(uow: UnitOfWork, fund_id: UUID) -> FundRecord:
    async with uow:
        fund = await uow.session.get(FundRecord, str(fund_id))
    if fund is None:
        raise FundNotFound(f"no fund {fund_id}")
    return fund


async def record_donation(
    uow: UnitOfWork, fund_id: UUID, entry: DonationEntry, *, caller: Caller, producer: Producer
) -> DonationRecord:
    async with uow:
        fund = await uow.session.get(FundRecord, str(fund_id))
        if fund is None:
            raise FundNotFound(f"no fund {fund_id}")
        now = datetime.now(UTC)
        sequence = await _next_receipt_sequence(uow, fund.id, now.year)
        donation = DonationRecord(
            id=str(uuid7()),
            fund_id=fund.id,
            amount_fen=entry.amount_fen,
            channel=entry.channel.value,
            donor_name=None if entry.anonymous else entry.donor_name,
            anonymous=entry.anonymous,
            receipt_number=receipt_number(fund.code, now.year, sequence),
            received_by=caller.subject,
            received_at=now,
        )
        uow.session.add(donation)
        await uow.emit(
            new_event(
                DonationReceived(
                    donation_id=UUID(donation.id),
                    fund_id=UUID(fund.id),
                    amount_fen=entry.amount_fen,
                    channel=entry.channel.value,
                    receipt_number=donation.receipt_number,
                ),
                subject=fund.id,
                region_code=fund.region_code,
                producer=producer,
            )
        )
        await uow.commit()
    return donation


async def _next_receipt_sequence(uow: UnitOfWork, fund_id: str, year: int) -> int:
    # The row lock serialises concurrent donations to one fund on PostgreSQL;
    # SQLite serialises writers itself.
    counter = await uow.session.scalar(
        select(ReceiptCounter)
        .where(ReceiptCounter.fund_id == fund_id, ReceiptCounter.year == year)
        .with_for_update()
    )
    if counter is None:
        counter = ReceiptCounter(fund_id=fund_id, year=year, last_sequence=0)
        uow.session.add(counter)
    counter.last_sequence += 1
    await uow.session.flush()
    return counter.last_sequence
