"""Individual services, group activities, and the service figures of a region."""

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from wushe.ledger.adapters.visit_orm import ActivityRecord, ServiceRecord
from wushe.ledger.domain.report_figures import Period, RegionFigures
from wushe.ledger.entrypoints.visits import VISITORS, WORK_RECORDERS, Recorded
from wushe.ledger.service_layer.files import file_of
from wushe.ledger.service_layer.reports import count_visits_and_services
from wushe.ledger.service_layer.services_and_activities import (
    NewActivity,
    activities_within,
    hold_activity,
    record_service,
    services_of,
)
from wushe.ledger.service_layer.timeline import persons_on_file
from wushe.shared.auth import CurrentCaller, require_region, require_role
from wushe.shared.events.visits import ActivityKind, ServiceKind
from wushe.shared.http import RuntimeDep
from wushe.shared.refusals import Invalid, NotFound
from wushe.shared.regions import RegionCode, scope_prefix

router = APIRouter(tags=["services and activities"])


class ServiceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ServiceKind
    served_on: date = Field(description="Day of the service; not in the future")
    duration_minutes: int | None = Field(None, ge=1, le=1440)
    volunteer_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="The volunteer who gave it, when staff record a volunteer's service",
    )


class ServiceView(BaseModel):
    service_id: UUID
    person_id: UUID
    kind: str
    served_on: date
    provider: str | None
    duration_minutes: int | None
    region_code: str

    @classmethod
    def of(cls, row: ServiceRecord) -> "ServiceView":
        return cls(
            service_id=UUID(row.id), person_id=UUID(row.person_id), kind=row.kind,
            served_on=row.served_on, provider=row.provider,
            duration_minutes=row.duration_minutes, region_code=row.region_code,
        )  # fmt: skip


class ActivityBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    region_code: RegionCode = Field(description="The station (or community) that held it")
    title: str = Field(min_length=1, max_length=200, description="What it was; name no one")
    kind: ActivityKind
    held_on: date = Field(description="Day it was held; not in the future")
    participants: int = Field(ge=0, le=100000, description="People served who took part")
    volunteers: int = Field(0, ge=0, le=10000)


class ActivityView(BaseModel):
    activity_id: UUID
    region_code: str
    title: str
    kind: str
    held_on: date
    participants: int
    volunteers: int

    @classmethod
    def of(cls, row: ActivityRecord) -> "ActivityView":
        return cls(
            activity_id=UUID(row.id), region_code=row.region_code, title=row.title,
            kind=row.kind, held_on=row.held_on, participants=row.participants,
            volunteers=row.volunteers,
        )  # fmt: skip


class ServiceFigures(BaseModel):
    region: str
    start: date
    end: date
    visits_done: int
    visits_overdue: int = Field(description="Visits due in the period that were missed")
    activities: int
    service_times: int = Field(
        description="服务人次: services and visits, plus activity participants"
    )


def _period(start: date, end: date) -> None:
    if end < start:
        raise Invalid(f"end {end} is before start {start}", field="end")


@router.post(
    "/files/{person_id}/services", status_code=status.HTTP_201_CREATED, response_model=Recorded
)
async def post_service(
    person_id: UUID, body: ServiceBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Record an individual service the caller (or the volunteer staff name) gave the
    person (one service-time)."""
    require_role(caller, *WORK_RECORDERS)
    event = await record_service(
        runtime.unit_of_work(), runtime.producer, caller, str(person_id),
        body.kind, body.served_on, body.duration_minutes, body.volunteer_id,
    )  # fmt: skip
    return Recorded(id=event.payload["service_id"], event_id=event.id)


@router.get("/files/{person_id}/services", response_model=list[ServiceView])
async def get_services(
    person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[ServiceView]:
    async with runtime.snapshot() as session:
        record = await file_of(session, str(person_id))
        if record is None:
            raise NotFound(f"no file for person {person_id}", field="person_id")
        require_region(caller, record.region_code)
        rows = await services_of(session, await persons_on_file(session, record.person_id))
    return [ServiceView.of(row) for row in rows]


@router.post("/activities", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_activity(body: ActivityBody, caller: CurrentCaller, runtime: RuntimeDep) -> Recorded:
    """Record a group activity the station held, with its participant count."""
    require_role(caller, *VISITORS)
    event = await hold_activity(
        runtime.unit_of_work(), runtime.producer, caller, NewActivity(**body.model_dump())
    )
    return Recorded(id=event.payload["activity_id"], event_id=event.id)


@router.get("/activities", response_model=list[ActivityView])
async def get_activities(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    start: date,
    end: date,
    region: RegionCode | None = Query(None, description="Default: the caller's region"),
) -> list[ActivityView]:
    region = region or caller.region
    require_region(caller, region, field="region")
    _period(start, end)
    async with runtime.snapshot() as session:
        rows = await activities_within(session, scope_prefix(region), start, end)
    return [ActivityView.of(row) for row in rows]


@router.get("/services/figures", response_model=ServiceFigures)
async def get_service_figures(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    start: date,
    end: date,
    region: RegionCode | None = Query(None, description="Default: the caller's region"),
) -> ServiceFigures:
    """Visits done and missed, activities and service-times of a region over a period."""
    region = region or caller.region
    require_region(caller, region, field="region")
    _period(start, end)
    rows: dict[str, RegionFigures] = {}
    async with runtime.snapshot() as session:
        # The reports' counter, by city: the rows add up to the region's totals.
        await count_visits_and_services(
            session, scope_prefix(region), "city", Period(start, end), rows
        )
    total = RegionFigures(region_code=region, region_name=region)
    for row in rows.values():
        total.add(row)
    return ServiceFigures(
        region=region, start=start, end=end,
        visits_done=total.visits_done, visits_overdue=total.visits_overdue,
        activities=total.activities, service_times=total.service_times,
    )  # fmt: skip
