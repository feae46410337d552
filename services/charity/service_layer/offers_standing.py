"""Offers with how much of their capacity is in use and how their needs went."""

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.needs_orm import NeedRecord, OfferRecord
from wushe.charity.domain.needs_lifecycle import OPEN_FOR_TAKER, NeedStatus
from wushe.charity.domain.offers_matching import OfferStanding


def in_force() -> ColumnElement[bool]:
    return OfferRecord.withdrawn_at.is_(None)


async def offers_standing(
    session: AsyncSession, *conditions: ColumnElement[bool]
) -> list[OfferStanding]:
    """The offers meeting ``conditions``, each with its open and confirmed needs."""
    open_needs = (
        select(NeedRecord.offer_id, func.count().label("count"))
        .where(NeedRecord.status.in_([status.value for status in OPEN_FOR_TAKER]))
        .group_by(NeedRecord.offer_id)
        .subquery()
    )
    confirmed = (
        select(NeedRecord.taken_by, func.count().label("count"))
        .where(NeedRecord.status == NeedStatus.CONFIRMED.value)
        .group_by(NeedRecord.taken_by)
        .subquery()
    )
    rows = await session.execute(
        select(OfferRecord, open_needs.c.count, confirmed.c.count)
        .outerjoin(open_needs, open_needs.c.offer_id == OfferRecord.id)
        .outerjoin(confirmed, confirmed.c.taken_by == OfferRecord.partner_id)
        .where(*conditions)
        .order_by(OfferRecord.posted_at, OfferRecord.id)
    )
    return [
        OfferStanding(
            offer_id=offer.id,
            partner_id=offer.partner_id,
            kinds=list(offer.kinds),
            regions=list(offer.regions),
            capacity=offer.capacity,
            open_needs=int(open_count or 0),
            confirmed_needs=int(confirmed_count or 0),
            posted_at=offer.posted_at,
            summary=offer.summary,
            withdrawn_at=offer.withdrawn_at,
        )
        for offer, open_count, confirmed_count in rows
    ]
