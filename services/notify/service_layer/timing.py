"""When a non-urgent alert may go: after the partner's quiet hours (or, when it has none,
those of the most specific region covering the event), or in its daily digest."""

from collections.abc import Sequence
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.adapters.sharing_orm import PartnerProfileRecord, RegionQuietHoursRecord
from wushe.notify.domain.quiet_hours import QuietHours, parse_clock
from wushe.shared.regions import covers


async def quiet_hours_for(
    session: AsyncSession,
    profile: PartnerProfileRecord | None,
    region_code: str,
    regions: Sequence[RegionQuietHoursRecord] | None = None,
) -> QuietHours | None:
    """``regions``: every region's quiet hours, when the caller has read them already."""
    if profile is not None and profile.quiet_from and profile.quiet_until:
        return QuietHours(parse_clock(profile.quiet_from), parse_clock(profile.quiet_until))
    if regions is None:
        regions = list(await session.scalars(select(RegionQuietHoursRecord)))
    regional = [r for r in regions if covers(r.region_code, region_code)]
    if not regional:
        return None
    nearest = max(regional, key=lambda r: len(r.region_code.rstrip("0")))
    return QuietHours(parse_clock(nearest.quiet_from), parse_clock(nearest.quiet_until))


def digest_time(profile: PartnerProfileRecord | None) -> time | None:
    return parse_clock(profile.digest_at) if profile is not None and profile.digest_at else None


async def release_time(
    session: AsyncSession,
    profile: PartnerProfileRecord | None,
    region_code: str,
    now: datetime,
    regions: Sequence[RegionQuietHoursRecord] | None = None,
) -> datetime:
    quiet = await quiet_hours_for(session, profile, region_code, regions)
    return quiet.release(now) if quiet is not None else now
