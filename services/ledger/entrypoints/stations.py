"""The township stations (社工站): record one as it stands, list those of a region."""

from datetime import date, datetime
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from wushe.ledger.adapters.station_orm import StationRecord
from wushe.ledger.domain.stations import StationBody
from wushe.ledger.service_layer.stations import (
    built_by,
    operating_on,
    record_station,
    stations_within,
)
from wushe.ledger.service_layer.visit_plans import today_in_china
from wushe.shared.auth import CurrentCaller, Role, require_role
from wushe.shared.events.stations import StationStatus
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix
from wushe.shared.telemetry import current_trace_id

router = APIRouter(tags=["stations"])


class StationView(BaseModel):
    region_code: str
    station_name: str
    status: StationStatus
    built_on: date | None
    operating_since: date | None
    suspended_on: date | None
    social_workers: int
    built: bool = Field(description="Built as of today")
    operating: bool = Field(description="Operating today")
    recorded_at: datetime
    recorded_by: str | None

    @classmethod
    def of(cls, row: StationRecord, today: date) -> "StationView":
        return cls(
            region_code=row.region_code, station_name=row.name, status=StationStatus(row.status),
            built_on=row.built_on, operating_since=row.operating_since,
            suspended_on=row.suspended_on, social_workers=row.social_workers,
            built=built_by(row, today), operating=operating_on(row, today),
            recorded_at=row.recorded_at, recorded_by=row.recorded_by,
        )  # fmt: skip


class StationRecordedView(BaseModel):
    event_id: UUID
    trace_id: str | None = Field(default_factory=current_trace_id)
    station: StationView


@router.put("/stations/{region_code}", response_model=StationRecordedView)
async def put_station(
    body: StationBody,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region_code: str = Path(pattern=r"^\d{9}$", description="The township's 9-digit code"),
) -> StationRecordedView:
    """Record the township's station as it stands now (planned, built, operating or
    suspended, with the dates of each step); emits `station.recorded`. The reports count
    the stations built and operating and the townships they cover."""
    require_role(caller, Role.ADMIN, Role.STATION_STAFF)
    event = await record_station(runtime.unit_of_work(), runtime.producer, caller, region_code,
                                 body)  # fmt: skip
    async with runtime.sessions() as session:
        row = await session.get(StationRecord, region_code)
    assert row is not None  # the command applied the event it recorded
    return StationRecordedView(event_id=event.id, station=StationView.of(row, today_in_china()))


@router.get("/stations", response_model=list[StationView])
async def get_stations(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    station_status: StationStatus | None = Query(None, alias="status"),
) -> list[StationView]:
    """The stations recorded inside the caller's region, by township code."""
    async with runtime.snapshot() as session:
        rows = await stations_within(session, scope_prefix(caller.region), station_status)
    today = today_in_china()
    return [StationView.of(row, today) for row in rows]
