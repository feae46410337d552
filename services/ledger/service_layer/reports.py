"""The report figures, summed by region at a level, from the ledger's tables.

Counting happens in the database, grouped by region and by the set of groups a file
holds (a few hundred distinct sets), so a province's million files are not loaded.
"""

import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, partial

from sqlalchemy import Text, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement

from wushe.ledger.adapters.case_orm import CaseRecord, CaseStepRecord
from wushe.ledger.adapters.charity_day_orm import CharityDayRecord
from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.adapters.visit_orm import (
    ActivityRecord,
    MissedVisitRecord,
    ServiceRecord,
    VisitRecord,
)
from wushe.ledger.domain.report_figures import (
    CHARITY_SUMS,
    LEVEL_DIGITS,
    Level,
    Period,
    RegionFigures,
    categories_of,
    region_at,
)
from wushe.ledger.service_layer.files import MERGED
from wushe.ledger.service_layer.stations import (
    TOWNSHIP_DIGITS,
    built_by,
    operating_on,
    stations_within,
)
from wushe.shared.divisions.current import current_codes, name_of
from wushe.shared.events.cases import Stage
from wushe.shared.refusals import Invalid
from wushe.shared.regions import scope_prefix

# Adds one kind of figure (visits, cases, services) to the rows, keyed by region code.
FigureCounter = Callable[
    [AsyncSession, str, Level, Period, dict[str, RegionFigures]], Awaitable[None]
]


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as a half-open UTC interval of instants."""
    start = datetime.combine(period.start, time.min, tzinfo=UTC)
    return start, datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=UTC)


def row_for(rows: dict[str, RegionFigures], code: str, level: Level) -> RegionFigures:
    key = region_at(code, level)
    if key not in rows:
        rows[key] = RegionFigures(region_code=key, region_name=short_name(key))
    return rows[key]


def short_name(code: str) -> str:
    """The region's own name, without the names of the regions above it."""
    full = name_of(code)
    if full is None:
        return code
    above = name_of(_parent(code)) or ""
    return full[len(above) :] if full.startswith(above) and full != above else full


def _parent(code: str) -> str:
    if len(code) == 12:
        return code[:9]
    if len(code) == 9:
        return code[:6]
    return code[:2] + "0000" if code[4:] == "00" else code[:4] + "00"


async def count_people(
    session: AsyncSession, prefix: str, level: Level, period: Period, rows: dict[str, RegionFigures]
) -> None:
    """Files open at the period's end, by category; files opened within the period."""
    start, end = period_bounds(period)
    digits = LEVEL_DIGITS[level]
    region = func.substr(LedgerFileRecord.region_code, 1, digits)
    groups = cast(LedgerFileRecord.groups, Text)
    on_file = and_(
        LedgerFileRecord.region_code.startswith(prefix),
        LedgerFileRecord.status != MERGED,
        LedgerFileRecord.opened_at < end,
        (LedgerFileRecord.died_on.is_(None)) | (LedgerFileRecord.died_on > period.end),
    )
    opened_within = func.sum(case((LedgerFileRecord.opened_at >= start, 1), else_=0))
    result = await session.execute(
        select(region, groups, func.count(), opened_within).where(on_file).group_by(region, groups)
    )
    for code, groups_text, people, newly in result:
        row = row_for(rows, code, level)
        row.people += people
        row.newly_filed += int(newly or 0)
        for category in categories_of(json.loads(groups_text)):
            row.people_by_category[category] = row.people_by_category.get(category, 0) + people


async def _sum_by_region(
    session: AsyncSession,
    region_column: InstrumentedAttribute[str],
    day_column: InstrumentedAttribute[date],
    prefix: str,
    level: Level,
    period: Period,
    value: ColumnElement[int] | None = None,
) -> dict[str, int]:
    """``value`` (a row count by default) of the rows dated within the period, by region."""
    region = func.substr(region_column, 1, LEVEL_DIGITS[level])
    result = await session.execute(
        select(region, value if value is not None else func.count())
        .where(region_column.startswith(prefix), day_column.between(period.start, period.end))
        .group_by(region)
    )
    return {code: int(total or 0) for code, total in result}


async def count_visits_and_services(
    session: AsyncSession, prefix: str, level: Level, period: Period, rows: dict[str, RegionFigures]
) -> None:
    """Visits made and missed, activities, and service-times (服务人次): one per
    individual service and per visit, plus each activity's participants."""
    by_region = partial(_sum_by_region, session, prefix=prefix, level=level, period=period)
    visits = await by_region(VisitRecord.region_code, VisitRecord.visited_on)
    missed = await by_region(MissedVisitRecord.region_code, MissedVisitRecord.due_on)
    services = await by_region(ServiceRecord.region_code, ServiceRecord.served_on)
    activities = await by_region(ActivityRecord.region_code, ActivityRecord.held_on)
    participants = await by_region(
        ActivityRecord.region_code,
        ActivityRecord.held_on,
        value=func.sum(ActivityRecord.participants),
    )
    for code in {*visits, *missed, *services, *activities}:
        row = row_for(rows, code, level)
        row.visits_done += visits.get(code, 0)
        row.visits_overdue += missed.get(code, 0)
        row.activities += activities.get(code, 0)
        row.service_times += services.get(code, 0) + visits.get(code, 0) + participants.get(code, 0)


async def count_cases(
    session: AsyncSession, prefix: str, level: Level, period: Period, rows: dict[str, RegionFigures]
) -> None:
    """Cases opened, and closings (a case reopened and closed again counts each time),
    by the region the case was opened in."""
    start, end = period_bounds(period)
    region = func.substr(CaseRecord.region_code, 1, LEVEL_DIGITS[level])
    in_scope = CaseRecord.region_code.startswith(prefix)
    opened = await session.execute(
        select(region, func.count())
        .where(in_scope, CaseRecord.opened_at >= start, CaseRecord.opened_at < end)
        .group_by(region)
    )
    for code, count in opened:
        row_for(rows, code, level).cases_opened += count
    closed = await session.execute(
        select(region, func.count())
        .select_from(CaseStepRecord)
        .join(CaseRecord, CaseRecord.id == CaseStepRecord.case_id)
        .where(
            in_scope,
            CaseStepRecord.to_stage == Stage.CLOSED.value,
            CaseStepRecord.occurred_at >= start,
            CaseStepRecord.occurred_at < end,
        )
        .group_by(region)
    )
    for code, count in closed:
        row_for(rows, code, level).cases_closed += count


async def count_charity(
    session: AsyncSession, prefix: str, level: Level, period: Period, rows: dict[str, RegionFigures]
) -> None:
    """Money raised and disbursed, goods received and given within the period, by the
    region of the fund or of the station's stock."""
    day = CharityDayRecord
    region = func.substr(day.region_code, 1, LEVEL_DIGITS[level])
    sums = [func.sum(getattr(day, name)) for name in CHARITY_SUMS]
    result = await session.execute(
        select(region, *sums)
        .where(day.region_code.startswith(prefix), day.day.between(period.start, period.end))
        .group_by(region)
    )
    for code, *totals in result:
        row = row_for(rows, code, level)
        for name, total in zip(CHARITY_SUMS, totals, strict=True):
            setattr(row, name, getattr(row, name) + int(total or 0))


@cache
def townships_by_region(prefix: str, level: Level) -> Mapping[str, int]:
    """How many townships in force each region at ``level`` inside ``prefix`` holds. The
    divisions in force ship with the package: counted once per region and level."""
    counts: dict[str, int] = {}
    for code in current_codes("township", prefix[:TOWNSHIP_DIGITS]):
        key = region_at(code, level)
        counts[key] = counts.get(key, 0) + 1
    return counts


async def count_stations(
    session: AsyncSession, prefix: str, level: Level, period: Period, rows: dict[str, RegionFigures]
) -> None:
    """Stations built and operating at the period's end, and the townships in force, for
    each region that has a row or a station. A village has neither: its township's
    station serves it."""
    if level == "village":
        return
    for station in await stations_within(session, prefix):
        row = row_for(rows, station.region_code, level)
        row.stations_built += built_by(station, period.end)
        row.stations_operating += operating_on(station, period.end)
    townships = townships_by_region(prefix, level)
    for key, row in rows.items():
        row.townships = townships.get(key, 0)


COUNTERS: list[FigureCounter] = [
    count_people,
    count_visits_and_services,
    count_cases,
    count_charity,
    count_stations,
]


async def figures(
    session: AsyncSession, region: str, level: Level, period: Period
) -> tuple[list[RegionFigures], RegionFigures]:
    """One row per region at ``level`` inside ``region`` that has anything, and the total."""
    prefix = scope_prefix(region)
    if len(prefix) > LEVEL_DIGITS[level]:
        raise Invalid(
            f"region {region} is smaller than a {level}; choose a finer level", field="by"
        )
    rows: dict[str, RegionFigures] = {}
    for counter in COUNTERS:
        await counter(session, prefix, level, period, rows)
    total = RegionFigures(region_code=region, region_name=short_name(region))
    ordered = [rows[code] for code in sorted(rows)]
    for row in ordered:
        total.add(row)
    if level != "village":
        # Every township of the region, also those without a row: the uncovered ones.
        total.townships = sum(townships_by_region(prefix, level).values())
    return ordered, total
