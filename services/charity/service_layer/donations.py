"""Recording donations: a numbered receipt, a journal entry from the channel's account
into the holding account of its restriction, and `donation.received`, in one transaction."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from uuid_utils.compat import uuid7

from wushe.charity.adapters.orm import DonationRecord, FundRecord
from wushe.charity.domain.accounts import donations_code
from wushe.charity.domain.donation import DonationEntry, DonationStatus, receipt_number
from wushe.charity.domain.funds import FundStatus, outside_period
from wushe.charity.domain.journal import EntryKind, Line
from wushe.charity.domain.refusals import NotFound, Refused
from wushe.charity.service_layer.accounts import holding_account, require_account
from wushe.charity.service_layer.donors import add_donor, contact_of, require_donor
from wushe.charity.service_layer.journal import post_entry
from wushe.charity.service_layer.receipts import next_receipt_sequence
from wushe.shared.auth import Caller
from wushe.shared.events import Producer, new_event
from wushe.shared.events.charity import DonationReceived
from wushe.shared.field_encryption import FieldCipher, partner_alert_context
from wushe.shared.unit_of_work import UnitOfWork

DONOR_CONTACT_FOR_NOTIFY = partner_alert_context("donor_contact")


@dataclass(frozen=True)
class Desk:
    """What every money command needs besides its input."""

    caller: Caller
    producer: Producer
    cipher: FieldCipher


async def record_donation(
    uow: UnitOfWork, fund_id: UUID, entry: DonationEntry, desk: Desk
) -> DonationRecord:
    async with uow:
        donation = await add_donation(uow, str(fund_id), entry, desk)
        await uow.commit()
    return donation


async def add_donation(
    uow: UnitOfWork,
    fund_id: str,
    entry: DonationEntry,
    desk: Desk,
    corrects: str | None = None,
    external_reference: str | None = None,
    donated_at: datetime | None = None,
) -> DonationRecord:
    """The donation in the caller's transaction; ``corrects`` is the donation it replaces,
    ``external_reference`` the online platform's transaction it was reported as,
    ``donated_at`` when the donor gave, if before it is recorded."""
    session = uow.session
    fund = await session.get(FundRecord, fund_id)
    if fund is None:
        raise NotFound(f"no fund {fund_id} / 没有该基金", field="fund_id")
    # A correction fixes what was received while the campaign ran, even after it closed.
    if fund.status != FundStatus.LAUNCHED and corrects is None:
        raise Refused(f"the campaign is {fund.status}, not taking donations / 项目未在募捐中",
                      field="fund_id")  # fmt: skip
    now = datetime.now(UTC)
    if corrects is None and (
        why := outside_period(fund.starts_on, fund.ends_on, donated_at or now)
    ):
        raise Refused(why, field="fund_id")
    sequence = await next_receipt_sequence(session, fund.id, now.year)
    donor_id = None
    contact = None
    # A correction was thanked as the original; an anonymous donor is never contacted.
    thanked = entry.thank_you and not entry.anonymous and corrects is None
    if entry.donor_id is not None:
        donor = await require_donor(session, entry.donor_id)
        donor_id = donor.id
        contact = contact_of(donor, desk.cipher) if thanked else None
    elif (new_donor := entry.new_donor()) is not None:
        donor_id = add_donor(session, new_donor, desk.cipher, desk.caller)
        contact = new_donor.contact if thanked else None
    holding = await holding_account(session, fund.id, entry.restriction)
    source = await require_account(session, fund.id, donations_code(entry.channel))
    lines = [Line(holding, entry.amount_fen), Line(source, -entry.amount_fen)]
    entry_id = await post_entry(
        session, fund.id, EntryKind.DONATION, lines, posted_by=desk.caller.subject
    )
    restriction = entry.restriction
    donation = DonationRecord(
        id=str(uuid7()), fund_id=fund.id, amount_fen=entry.amount_fen,
        channel=entry.channel.value, donor_id=donor_id, anonymous=entry.anonymous,
        receipt_number=receipt_number(fund.code, now.year, sequence),
        received_by=desk.caller.subject, received_at=now,
        restriction_kind=restriction.kind.value if restriction else None,
        restriction_target=restriction.target if restriction else None,
        account_id=holding, entry_id=entry_id, unallocated_fen=entry.amount_fen,
        status=DonationStatus.RECEIVED.value, corrects_id=corrects,
        external_reference=external_reference,
    )  # fmt: skip
    session.add(donation)
    await session.flush()
    payload = DonationReceived(
        donation_id=UUID(donation.id), fund_id=UUID(fund.id), amount_fen=entry.amount_fen,
        channel=entry.channel.value, receipt_number=donation.receipt_number,
        restriction_kind=donation.restriction_kind,
        restriction_target=donation.restriction_target,
        corrects=UUID(corrects) if corrects else None,
        donor_contact_sealed=desk.cipher.encrypt(contact, DONOR_CONTACT_FOR_NOTIFY)
        if contact is not None
        else None,
    )  # fmt: skip
    await uow.emit(
        new_event(payload, subject=fund.id, region_code=fund.region_code,
                  producer=desk.producer, actor=desk.caller.subject)
    )  # fmt: skip
    return donation
