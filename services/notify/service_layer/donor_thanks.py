"""Thanking donors who gave a contact (捐赠致谢).

Charity's ``donation.received`` carries the donor's email address or mobile number
sealed for notify (``donor_contact_sealed``) only when the donor gave one, is not
anonymous and did not decline. Notify owes that donation one thank-you (the donation is
the idempotency key), held until the fund's region's quiet hours end, and sends it by
email or text through its SMTP server and SMS gateway, retrying with backoff. Once sent,
the contact is forgotten. Fund managers' alerts never carry the contact: it concerns no
person on file, so no agreement can release it to them.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wushe.notify.adapters.thank_you_channels import ThankYouChannels, ThankYouNotSent
from wushe.notify.adapters.thanks_orm import DonorThanksRecord
from wushe.notify.domain.backoff import MAX_ATTEMPTS, retry_delay_seconds
from wushe.notify.domain.delivery import Channel
from wushe.notify.domain.donor_thanks import ThanksStatus, ThankYou, channel_for
from wushe.notify.service_layer.routing_snapshot import RoutingSnapshot
from wushe.notify.service_layer.timing import release_time
from wushe.shared.clock import Clock, utc_now
from wushe.shared.events import EventEnvelope
from wushe.shared.events.charity import DonationReceived
from wushe.shared.field_encryption import FieldCipher, partner_alert_context
from wushe.shared.unit_of_work import UnitOfWork
from wushe.shared.write_gate import writing

log = structlog.get_logger(__name__)

THANKS_CONSUMER = "notify.donor_thanks"
# As charity seals it for notify, and as notify keeps it until the thank-you is sent.
CONTACT_CONTEXT = partner_alert_context("donor_contact")
CONTACT_COLUMN = "donor_thanks.contact_sealed"
BATCH = 50


@dataclass(frozen=True)
class DonorThanks:
    """Records the thank-yous owed, as ``donation.received`` events arrive."""

    cipher: FieldCipher
    clock: Clock = utc_now

    async def record(self, uow: UnitOfWork, event: EventEnvelope) -> None:
        async with uow:
            if not await uow.claim(THANKS_CONSUMER, event):
                return
            await self.owe(uow.session, event)
            await uow.commit()

    async def owe_in_batch(
        self, session: AsyncSession, event: EventEnvelope, snapshot: RoutingSnapshot
    ) -> None:
        await self.owe(session, event, snapshot)

    async def owe(
        self, session: AsyncSession, event: EventEnvelope, snapshot: RoutingSnapshot | None = None
    ) -> None:
        donation = DonationReceived.model_validate(event.payload)
        sealed = donation.donor_contact_sealed
        if sealed is None:
            return
        if await session.get(DonorThanksRecord, str(donation.donation_id)) is not None:
            return  # owed already: the event came again
        contact = self.cipher.decrypt(sealed, CONTACT_CONTEXT)
        channel = channel_for(contact)
        if channel is None:
            log.info("donor's contact is no email or mobile", donation=str(donation.donation_id))
            return
        now = self.clock()
        regions = snapshot.region_quiet_hours if snapshot else None
        session.add(
            DonorThanksRecord(
                donation_id=str(donation.donation_id),
                fund_id=str(donation.fund_id),
                region_code=event.region_code,
                amount_fen=donation.amount_fen,
                receipt_number=donation.receipt_number,
                channel=channel.value,
                contact_sealed=self.cipher.encrypt(contact, CONTACT_COLUMN),
                status=ThanksStatus.PENDING.value,
                attempts=0,
                send_at=await release_time(session, None, event.region_code, now, regions),
                last_error=None,
                sent_at=None,
                created_at=now,
            )
        )


@dataclass
class ThanksSender:
    """Sends the thank-yous that are due; ``run`` does so until cancelled."""

    sessions: async_sessionmaker[AsyncSession]
    channels: ThankYouChannels
    cipher: FieldCipher
    clock: Clock = utc_now
    poll_seconds: float = 5.0

    async def run(self) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:
                log.exception("thanking donors failed; trying again at the next poll")
            await asyncio.sleep(self.poll_seconds)

    async def send_due(self) -> int:
        """The number sent now; each due thank-you is tried once."""
        sent = 0
        now = self.clock()
        async with writing(self.sessions) as session:
            due = await session.scalars(
                select(DonorThanksRecord)
                .where(
                    DonorThanksRecord.status == ThanksStatus.PENDING.value,
                    DonorThanksRecord.send_at <= now,
                )
                .order_by(DonorThanksRecord.send_at)
                .limit(BATCH)
                # Another replica sends the rows this one has locked.
                .with_for_update(skip_locked=True)
            )
            for thanks in due.all():
                sent += await self._send(session, thanks, now)
        return sent

    async def _send(self, session: AsyncSession, thanks: DonorThanksRecord, now: datetime) -> int:
        if thanks.contact_sealed is None:
            return 0
        contact = self.cipher.decrypt(thanks.contact_sealed, CONTACT_COLUMN)
        message = ThankYou(thanks.donation_id, thanks.amount_fen, thanks.receipt_number)
        thanks.attempts += 1
        try:
            await self.channels.send(Channel(thanks.channel), contact, message, now)
        except ThankYouNotSent as error:
            thanks.last_error = str(error)
            if thanks.attempts >= MAX_ATTEMPTS:
                thanks.status = ThanksStatus.DEAD.value
                thanks.contact_sealed = None  # never to be sent: kept no longer than a sent one
            else:
                retry = now + timedelta(seconds=retry_delay_seconds(thanks.attempts))
                thanks.send_at = await release_time(session, None, thanks.region_code, retry)
            return 0
        thanks.status = ThanksStatus.SENT.value
        thanks.sent_at = now
        thanks.contact_sealed = None  # thanked: the contact is no longer needed here
        return 1
