"""What notify keeps of other services' events to route alerts: funds' managers, persons'
consents, organisations' offers."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.adapters.orm import FundManagerRecord
from wushe.notify.adapters.sharing_orm import PartnerOfferRecord, PersonConsentRecord
from wushe.shared.events import EventEnvelope
from wushe.shared.events.charity import FundOpened
from wushe.shared.events.consent import ConsentGranted, ConsentRevoked
from wushe.shared.events.needs import OfferPosted, OfferWithdrawn
from wushe.shared.unit_of_work import UnitOfWork

CONSUMER = "notify"
# Offers are both projected and routed; each step records the event under its own name.
OFFER_CONSUMER = "notify.offers"


async def record_fund_managers(uow: UnitOfWork, event: EventEnvelope) -> None:
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return
        await apply_fund_managers(uow.session, event)
        await uow.commit()


async def record_consent(uow: UnitOfWork, event: EventEnvelope) -> None:
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return
        await apply_consent(uow.session, event)
        await uow.commit()


async def record_offer(uow: UnitOfWork, event: EventEnvelope) -> None:
    async with uow:
        if not await uow.claim(OFFER_CONSUMER, event):
            return
        await apply_offer(uow.session, event)
        await uow.commit()


async def apply_fund_managers(session: AsyncSession, event: EventEnvelope) -> None:
    opened = FundOpened.model_validate(event.payload)
    for partner_id in opened.manager_partner_ids:
        await session.merge(
            FundManagerRecord(
                fund_id=str(opened.fund_id),
                partner_id=str(partner_id),
                fund_name=opened.fund_name,
            )
        )


async def apply_consent(session: AsyncSession, event: EventEnvelope) -> None:
    """A grant or a revocation; both carry the whole consent, so the row is replaced."""
    consent = (
        ConsentRevoked.model_validate(event.payload)
        if event.type == "consent.revoked"
        else ConsentGranted.model_validate(event.payload)
    )
    revoked_on = consent.revoked_on if isinstance(consent, ConsentRevoked) else None
    known = await session.get(PersonConsentRecord, str(consent.consent_id))
    if known is not None and known.revoked_on is not None and revoked_on is None:
        # A grant replayed after its revocation must not revive it.
        revoked_on = known.revoked_on
    await session.merge(
        PersonConsentRecord(
            consent_id=str(consent.consent_id),
            person_id=str(consent.person_id),
            purpose=consent.purpose.value,
            recipient_kind=consent.recipient_kind.value,
            valid_from=consent.valid_from,
            valid_until=consent.valid_until,
            revoked_on=revoked_on,
        )
    )


async def apply_offer(session: AsyncSession, event: EventEnvelope) -> None:
    if event.type == "offer.withdrawn":
        withdrawn = OfferWithdrawn.model_validate(event.payload)
        await session.execute(
            update(PartnerOfferRecord)
            .where(PartnerOfferRecord.offer_id == str(withdrawn.offer_id))
            .values(active=False)
        )
    else:
        posted = OfferPosted.model_validate(event.payload)
        await session.merge(
            PartnerOfferRecord(
                offer_id=str(posted.offer_id),
                partner_id=posted.partner_id,
                kinds=[kind.value for kind in posted.kinds],
                regions=posted.regions,
                active=True,
            )
        )
