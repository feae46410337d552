"""Needs as stations and organisations look them up, suggestions for one, and the
figures of needs and offers by region and period."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.needs_orm import NeedRecord, NeedStepRecord
from wushe.charity.domain.goods_periods import Level, Period, region_at
from wushe.charity.domain.needs_lifecycle import NeedStatus
from wushe.charity.domain.offers_matching import Suggestion, suggest
from wushe.charity.service_layer.offers_standing import in_force, offers_standing
from wushe.shared.regions import scope_prefix


def overdue_condition(today: date) -> ColumnElement[bool]:
    return and_(NeedRecord.status == NeedStatus.POSTED.value, NeedRecord.deadline < today)


async def needs_in(
    session: AsyncSession, region: str, *conditions: ColumnElement[bool], limit: int
) -> list[NeedRecord]:
    """Needs inside ``region`` meeting ``conditions``, nearest deadline first."""
    query = (
        select(NeedRecord)
        .where(NeedRecord.region_code.startswith(scope_prefix(region)), *conditions)
        .order_by(NeedRecord.deadline, NeedRecord.posted_at, NeedRecord.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def steps_of(session: AsyncSession, need_id: str) -> list[NeedStepRecord]:
    return list(
        await session.scalars(
            select(NeedStepRecord)
            .where(NeedStepRecord.need_id == need_id)
            .order_by(NeedStepRecord.occurred_at, NeedStepRecord.id)
        )
    )


async def suggestions_for(session: AsyncSession, need: NeedRecord) -> list[Suggestion]:
    """Organisations' offers that fit the need, ranked and explained."""
    return suggest(await offers_standing(session, in_force()), need.kind, need.region_code)


@dataclass
class NeedFigures:
    """One region's needs over a period; each counts the steps taken in the period."""

    region_code: str
    posted: int = 0
    taken: int = 0
    fulfilled: int = 0
    confirmed: int = 0
    cancelled: int = 0
    organisations: set[str] = field(default_factory=set)

    @property
    def organisations_engaged(self) -> int:
        return len(self.organisations)


# Each is a step of the need's history and a figure of NeedFigures.
COUNTED_STEPS = ("posted", "taken", "fulfilled", "confirmed", "cancelled")
# Steps in which an organisation worked on a need.
ENGAGING_STEPS = ("taken", "fulfilled", "confirmed")


async def need_figures(
    session: AsyncSession, region: str, level: Level, period: Period
) -> tuple[list[NeedFigures], NeedFigures]:
    """Needs posted, taken, fulfilled, confirmed and cancelled in ``region`` over
    ``period``, and the organisations engaged, one row per region at ``level``."""
    in_scope = and_(
        NeedStepRecord.region_code.startswith(scope_prefix(region)),
        NeedStepRecord.occurred_at >= period.since,
        NeedStepRecord.occurred_at < period.before,
    )
    counted = await session.execute(
        select(NeedStepRecord.region_code, NeedStepRecord.step, func.count())
        .where(in_scope, NeedStepRecord.step.in_(COUNTED_STEPS))
        .group_by(NeedStepRecord.region_code, NeedStepRecord.step)
    )
    rows: dict[str, NeedFigures] = {}
    total = NeedFigures(region_code=region)
    for code, step, count in counted:
        row = rows.setdefault(region_at(code, level), NeedFigures(region_at(code, level)))
        for figures in (row, total):
            setattr(figures, step, getattr(figures, step) + int(count))
    engaged = await session.execute(
        select(NeedStepRecord.region_code, NeedStepRecord.partner_id)
        .where(
            in_scope,
            NeedStepRecord.step.in_(ENGAGING_STEPS),
            NeedStepRecord.partner_id.is_not(None),
        )
        .distinct()
    )
    by_region: dict[str, set[str]] = defaultdict(set)
    for code, partner in engaged:
        by_region[region_at(code, level)].add(partner)
        total.organisations.add(partner)
    for code, partners in by_region.items():
        rows.setdefault(code, NeedFigures(code)).organisations |= partners
    return [rows[code] for code in sorted(rows)], total
