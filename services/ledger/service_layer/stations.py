"""The township stations: recorded as the ledger's own event (so that a rebuild restores
them), read within a region, and whether one was built or operating on a day."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.ledger.adapters.station_orm import StationRecord
from wushe.ledger.domain.stations import StationBody
from wushe.ledger.service_layer.commands import record
from wushe.ledger.service_layer.visit_plans import today_in_china
from wushe.shared.auth import Caller, require_region
from wushe.shared.divisions.current import is_current
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.stations import StationRecorded, StationStatus
from wushe.shared.refusals import Invalid
from wushe.shared.unit_of_work import UnitOfWork

TOWNSHIP_DIGITS = 9


async def record_station(
    uow: UnitOfWork, producer: Producer, caller: Caller, region_code: str, facts: StationBody
) -> EventEnvelope:
    """Record a township's station as it stands now."""
    if len(region_code) != TOWNSHIP_DIGITS or not is_current(region_code):
        raise Invalid(
            f"{region_code} is not a township in force: a station belongs to one township, "
            "named by its 9-digit code / 社工站按乡镇（街道）九位代码登记",
            field="region_code",
        )
    require_region(caller, region_code)
    problem = facts.date_problem()
    if problem is not None:
        field, reason = problem
        raise Invalid(f"{field}: {reason}", field=field)
    today = today_in_china()
    for name, given in facts.step_dates.items():
        if given is not None and given > today:
            raise Invalid(f"{name}: {given} is after today ({today})", field=name)
    station = StationRecorded(region_code=region_code, **facts.model_dump())
    async with uow:
        event = new_event(
            station, subject=region_code, region_code=region_code, producer=producer,
            actor=caller.subject,
        )  # fmt: skip
        await record(uow, event, producer)
        await uow.commit()
    return event


async def stations_within(
    session: AsyncSession, prefix: str, status: StationStatus | None = None
) -> list[StationRecord]:
    query = select(StationRecord).where(StationRecord.region_code.startswith(prefix))
    if status is not None:
        query = query.where(StationRecord.status == status.value)
    return list(await session.scalars(query.order_by(StationRecord.region_code)))


def built_by(station: StationRecord, day: date) -> bool:
    return station.built_on is not None and station.built_on <= day


def operating_on(station: StationRecord, day: date) -> bool:
    """Operating that day, as far as the station's recorded dates tell."""
    began = station.operating_since is not None and station.operating_since <= day
    return began and (station.suspended_on is None or station.suspended_on > day)
