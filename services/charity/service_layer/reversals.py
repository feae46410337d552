"""Refunds and corrections: a reversing journal entry, never an edit. A correction is the
reversal plus a new donation with its own receipt; the old row keeps its history."""

from datetime import UTC, datetime
from uuid import UUID

from wushe.charity.adapters.orm import DonationRecord, FundRecord
from wushe.charity.domain.donation import DonationEntry, DonationStatus
from wushe.charity.domain.journal import EntryKind
from wushe.charity.domain.refusals import NotFound, Refused
from wushe.charity.service_layer.balance_watch import fund_balance, warn_if_low
from wushe.charity.service_layer.donations import Desk, add_donation
from wushe.charity.service_layer.journal import reverse_entry
from wushe.charity.service_layer.locks import lock_fund
from wushe.shared.events import new_event
from wushe.shared.events.charity import DonationReversed
from wushe.shared.unit_of_work import UnitOfWork


async def refund(uow: UnitOfWork, donation_id: UUID, reason: str, desk: Desk) -> DonationRecord:
    async with uow:
        fund, donation = await _reversible(uow, donation_id)
        before = await fund_balance(uow.session, fund.id)
        await _reverse(uow, fund, donation, DonationStatus.REFUNDED, reason, desk, None)
        await warn_if_low(uow, fund, before, desk.producer, desk.caller.subject)
        await uow.commit()
    return donation


async def correct(
    uow: UnitOfWork, donation_id: UUID, entry: DonationEntry, desk: Desk
) -> DonationRecord:
    """Returns the correcting donation."""
    async with uow:
        fund, donation = await _reversible(uow, donation_id)
        before = await fund_balance(uow.session, fund.id)
        # The new donation first: its receipt counter is locked before any account.
        replacement = await add_donation(uow, fund.id, entry, desk, corrects=donation.id)
        reason = f"corrected by {replacement.receipt_number}"
        await _reverse(uow, fund, donation, DonationStatus.CORRECTED, reason, desk, replacement)
        await warn_if_low(uow, fund, before, desk.producer, desk.caller.subject)
        await uow.commit()
    return replacement


async def _reversible(uow: UnitOfWork, donation_id: UUID) -> tuple[FundRecord, DonationRecord]:
    found = await uow.session.get(DonationRecord, str(donation_id))
    if found is None:
        raise NotFound(f"no donation {donation_id} / 没有该捐赠", field="donation_id")
    fund = await lock_fund(uow.session, found.fund_id)
    donation = await uow.session.get(
        DonationRecord, found.id, with_for_update=True, populate_existing=True
    )
    if donation is None:
        raise NotFound(f"no donation {donation_id} / 没有该捐赠", field="donation_id")
    if donation.status != DonationStatus.RECEIVED:
        raise Refused(f"the donation was already {donation.status} / 该捐赠已冲销",
                      field="donation_id")  # fmt: skip
    if donation.unallocated_fen != donation.amount_fen:
        spent = donation.amount_fen - donation.unallocated_fen
        raise Refused(
            f"{spent} fen of this donation were already disbursed; it cannot be reversed "
            "/ 该捐赠已部分拨付，不能冲销",
            field="donation_id",
        )
    return fund, donation


async def _reverse(
    uow: UnitOfWork, fund: FundRecord, donation: DonationRecord, status: DonationStatus,
    reason: str, desk: Desk, replacement: DonationRecord | None,
) -> None:  # fmt: skip
    donation.reversal_entry_id = await reverse_entry(
        uow.session, donation.entry_id, EntryKind.DONATION_REVERSAL, posted_by=desk.caller.subject
    )
    donation.status = status.value
    donation.unallocated_fen = 0
    donation.reversal_reason = reason
    donation.reversed_by = desk.caller.subject
    donation.reversed_at = datetime.now(UTC)
    donation.corrected_by_id = replacement.id if replacement else None
    payload = DonationReversed(
        donation_id=UUID(donation.id), fund_id=UUID(fund.id), amount_fen=donation.amount_fen,
        receipt_number=donation.receipt_number,
        reason="correction" if replacement else "refund",
        replaced_by=UUID(replacement.id) if replacement else None,
    )  # fmt: skip
    await uow.emit(
        new_event(payload, subject=fund.id, region_code=fund.region_code,
                  producer=desk.producer, actor=desk.caller.subject)
    )  # fmt: skip
    await uow.session.flush()
