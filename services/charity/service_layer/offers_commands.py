"""Organisations posting what they can provide (供给清单) and withdrawing it, each with
its event."""

from datetime import UTC, datetime
from uuid import UUID

from uuid_utils.compat import uuid7

from wushe.charity.adapters.goods_locks import locked
from wushe.charity.adapters.needs_orm import OfferRecord
from wushe.charity.domain.offers_matching import OfferPosting
from wushe.charity.domain.refusals import NotFound, Refused, require_within
from wushe.shared.auth import Caller
from wushe.shared.events import Producer, new_event
from wushe.shared.events.needs import OfferPosted, OfferWithdrawn
from wushe.shared.unit_of_work import UnitOfWork


async def post_offer(
    uow: UnitOfWork, posting: OfferPosting, *, caller: Caller, producer: Producer
) -> OfferRecord:
    """An organisation (the caller, a partner) posts what it can provide."""
    for index, region in enumerate(posting.regions):
        require_within(caller, region, field=f"regions.{index}")
    async with uow:
        offer = OfferRecord(
            id=str(uuid7()),
            partner_id=caller.subject,
            kinds=[kind.value for kind in posting.kinds],
            regions=list(posting.regions),
            capacity=posting.capacity,
            summary=posting.summary,
            posted_at=datetime.now(UTC),
        )
        uow.session.add(offer)
        await uow.emit(
            new_event(
                OfferPosted(
                    offer_id=UUID(offer.id), partner_id=offer.partner_id, kinds=posting.kinds,
                    regions=offer.regions, capacity=offer.capacity,
                ),
                subject=offer.id, region_code=caller.region, producer=producer,
                actor=caller.subject,
            )
        )  # fmt: skip
        await uow.commit()
    return offer


async def withdraw_offer(
    uow: UnitOfWork, offer_id: UUID, *, caller: Caller, producer: Producer
) -> OfferRecord:
    """The organisation withdraws its offer; needs it has taken stay its own."""
    async with uow:
        offer = await locked(uow.session, OfferRecord, str(offer_id))
        if offer is None or offer.partner_id != caller.subject:
            raise NotFound(f"you have no offer {offer_id} (无此供给)", field="offer_id")
        if offer.withdrawn_at is not None:
            raise Refused(f"offer {offer_id} is already withdrawn (已撤回)", field="offer_id")
        offer.withdrawn_at = datetime.now(UTC)
        await uow.emit(
            new_event(
                OfferWithdrawn(offer_id=offer_id, partner_id=offer.partner_id),
                subject=offer.id, region_code=caller.region, producer=producer,
                actor=caller.subject,
            )
        )  # fmt: skip
        await uow.commit()
    return offer
