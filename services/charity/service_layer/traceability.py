"""Where restricted (and unrestricted) money went, and where it came from: the
allocations that link each disbursement to the donations that paid for it."""

from uuid import UUID

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.disbursement_orm import AllocationRecord, DisbursementRecord
from wushe.charity.adapters.orm import DonationRecord, FundRecord
from wushe.charity.service_layer.read_models import MoneyTrail


async def trails_of_donation(session: AsyncSession, donation_id: str) -> list[MoneyTrail]:
    return await _trails(session, AllocationRecord.donation_id == donation_id)


async def trails_of_disbursement(session: AsyncSession, disbursement_id: str) -> list[MoneyTrail]:
    return await _trails(session, AllocationRecord.disbursement_id == disbursement_id)


async def trails_to_person(
    session: AsyncSession, person_id: str, region_prefix: str
) -> list[MoneyTrail]:
    """What paid for a person, from the funds within ``region_prefix``."""
    return await _trails(session, DisbursementRecord.person_id == person_id, region_prefix)


async def trails_to_project(
    session: AsyncSession, project_id: str, region_prefix: str
) -> list[MoneyTrail]:
    return await _trails(session, DisbursementRecord.project_id == project_id, region_prefix)


async def _trails(
    session: AsyncSession, condition: ColumnElement[bool], region_prefix: str = ""
) -> list[MoneyTrail]:
    rows = await session.execute(
        select(AllocationRecord, DonationRecord, DisbursementRecord)
        .join(DonationRecord, DonationRecord.id == AllocationRecord.donation_id)
        .join(DisbursementRecord, DisbursementRecord.id == AllocationRecord.disbursement_id)
        .join(FundRecord, FundRecord.id == DisbursementRecord.fund_id)
        .where(condition, FundRecord.region_code.startswith(region_prefix))
        .order_by(AllocationRecord.id)
    )
    return [
        MoneyTrail(
            donation_id=UUID(donation.id),
            receipt_number=donation.receipt_number,
            donor_id=None
            if donation.anonymous or donation.donor_id is None
            else UUID(donation.donor_id),
            disbursement_id=UUID(disbursement.id),
            amount_fen=allocation.amount_fen,
            person_id=UUID(disbursement.person_id) if disbursement.person_id else None,
            project_id=disbursement.project_id,
            purpose=disbursement.purpose,
            disbursed_at=disbursement.decided_at,
        )
        for allocation, donation, disbursement in rows
    ]
