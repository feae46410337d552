"""Organisations posting what they can provide (供给清单), with its event."""

from datetime import UTC, datetime
from uuid import UUID

from uuid6 import uuid7

from wushe.charity.adapters.needs_orm import OfferRecord
from wushe.charity.domain.goods_refusals import Forbidden
from wushe.charity.domain.offers_matching import OfferPosting
from wushe.shared.auth import Caller
from wushe.shared.events import Producer, new_event
from wushe.shared.events.needs import OfferPosted
from wushe.shared.unit_of_work import UnitOfWork


async def post_offer(
    uow: UnitOfWork, posting: OfferPosting, *, caller: Caller, producer: Producer
) -> OfferRecord:
    """An organisation (the caller, a partner) posts what it can provide."""
    for index, region in enumerate(posting.regions):
        if not caller.may_access(region):
            raise Forbidden(
                f"region {region} is outside your region {caller.region} (超出您的服务范围)",
                field=f"regions.{index}",
            )
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
