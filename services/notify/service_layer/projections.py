"""What notify keeps of other services' events to route alerts: funds' managers, persons'
consents and merges, organisations' offers."""

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.adapters.merges_orm import PersonMergeRecord
from wushe.notify.adapters.orm import FundManagerRecord
from wushe.notify.adapters.sharing_orm import PartnerOfferRecord, PersonConsentRecord
from wushe.shared.events import EventEnvelope
from wushe.shared.events.charity import FundOpened
from wushe.shared.events.consent import ConsentGranted, ConsentRevoked
from wushe.shared.events.intake import PersonMerged, PersonUnmerged
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


async def record_merge(uow: UnitOfWork, event: EventEnvelope) -> None:
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return
        await apply_merge(uow.session, event)
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


async def apply_merge(session: AsyncSession, event: EventEnvelope) -> None:
    """A merge makes the merged person's consents count for the survivor, as intake and
    the ledger read one person's merged files together; its undo takes them back."""
    if event.type == "person.unmerged":
        unmerged = PersonUnmerged.model_validate(event.payload)
        await session.execute(
            delete(PersonMergeRecord).where(
                PersonMergeRecord.merged_id == str(unmerged.restored_id),
                PersonMergeRecord.survivor_id == str(unmerged.survivor_id),
            )
        )
        return
    merged = PersonMerged.model_validate(event.payload)
    await session.merge(
        PersonMergeRecord(
            merged_id=str(merged.merged_id),
            survivor_id=str(merged.survivor_id),
            merge_id=str(merged.merge_id),
        )
    )


async def persons_on_file(session: AsyncSession, person_id: str) -> list[str]:
    """The person and everyone whose file was merged into theirs, at any depth."""
    persons = [person_id]
    frontier = [person_id]
    while frontier:
        merged = await session.scalars(
            select(PersonMergeRecord.merged_id).where(PersonMergeRecord.survivor_id.in_(frontier))
        )
        frontier = [found for found in merged if found not in persons]
        persons.extend(frontier)
    return persons
