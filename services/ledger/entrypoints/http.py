"""Ledger's HTTP API."""

from datetime import UTC, date, datetime
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from wushe.ledger.adapters.file_export import file_workbook
from wushe.ledger.adapters.orm import LedgerFileRecord, TimelineEntryRecord
from wushe.ledger.service_layer.case_reads import cases_of
from wushe.ledger.service_layer.files import file_of
from wushe.ledger.service_layer.timeline import persons_on_file, timeline_of
from wushe.ledger.service_layer.visits import visits_of
from wushe.shared.auth import CurrentCaller, Role, require_region, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix

router = APIRouter(prefix="/files", tags=["files"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileView(BaseModel):
    file_id: UUID
    person_id: UUID
    region_code: str = Field(description="Where the person lives; that region's station holds it")
    station_region: str | None
    household_region: str | None
    groups: list[str]
    sex: str | None
    age_band: str | None
    status: str = Field(description="open, merged (see merged_into) or closed (died_on)")
    merged_into: UUID | None
    died_on: date | None
    opened_at: datetime
    trace_id: str | None

    @classmethod
    def of(cls, record: LedgerFileRecord) -> "FileView":
        return cls(
            file_id=UUID(record.id),
            person_id=UUID(record.person_id),
            region_code=record.region_code,
            station_region=record.station_region,
            household_region=record.household_region,
            groups=record.groups,
            sex=record.sex,
            age_band=record.age_band,
            status=record.status,
            merged_into=UUID(record.merged_into) if record.merged_into else None,
            died_on=record.died_on,
            opened_at=record.opened_at,
            trace_id=record.trace_id,
        )


class TimelineEntry(BaseModel):
    event_id: UUID
    event_type: str = Field(examples=["person.relocated"])
    person_id: UUID = Field(description="Differs from the file's person for a merged file's entry")
    occurred_at: datetime
    source: str = Field(description="Service that recorded it", examples=["intake"])
    actor: str | None = Field(description="Account that caused it, when known")
    region_code: str
    trace_id: str | None
    details: dict[str, object]

    @classmethod
    def of(cls, record: TimelineEntryRecord) -> "TimelineEntry":
        return cls(
            event_id=UUID(record.event_id),
            event_type=record.event_type,
            person_id=UUID(record.person_id),
            occurred_at=record.occurred_at,
            source=record.source,
            actor=record.actor,
            region_code=record.region_code,
            trace_id=record.trace_id,
            details=record.details,
        )


class Timeline(BaseModel):
    person_id: UUID
    persons: list[UUID] = Field(description="The person and the files merged into theirs")
    items: list[TimelineEntry]
    total: int
    limit: int
    offset: int


class FileCount(BaseModel):
    region: str
    open_files: int


@router.get("/count", response_model=FileCount)
async def count_files(caller: CurrentCaller, runtime: RuntimeDep) -> FileCount:
    prefix = scope_prefix(caller.region)
    async with runtime.snapshot() as session:
        total = await session.scalar(
            select(func.count())
            .select_from(LedgerFileRecord)
            .where(LedgerFileRecord.region_code.startswith(prefix))
        )
    return FileCount(region=caller.region, open_files=int(total or 0))


@router.get("/{person_id}", response_model=FileView)
async def get_file(person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> FileView:
    """The file of one person, found by the person id intake assigned."""
    async with runtime.snapshot() as session:
        record = await file_of(session, str(person_id))
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no file for person {person_id}")
    require_region(caller, record.region_code)
    return FileView.of(record)


@router.get("/{person_id}/timeline", response_model=Timeline)
async def get_timeline(
    person_id: UUID,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Timeline:
    """Everything that happened to the person across the platform, oldest first,
    including what was recorded on files later merged into theirs."""
    async with runtime.snapshot() as session:
        record = await file_of(session, str(person_id))
        if record is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no file for person {person_id}")
        require_region(caller, record.region_code)
        persons = await persons_on_file(session, record.person_id)
        entries, total = await timeline_of(session, persons, limit=limit, offset=offset)
    return Timeline(
        person_id=person_id,
        persons=[UUID(person) for person in persons],
        items=[TimelineEntry.of(entry) for entry in entries],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{person_id}/export",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The file, ready to print (.xlsx)"}},
)
async def export_file(person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> Response:
    """The whole file as a printable workbook (一人一档): its particulars, every entry of
    its timeline, its cases and its visits, including those of files merged into it."""
    require_role(caller, Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER, Role.AUDITOR)
    async with runtime.snapshot() as session:
        record = await file_of(session, str(person_id))
        if record is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no file for person {person_id}")
        require_region(caller, record.region_code)
        persons = await persons_on_file(session, record.person_id)
        entries, _ = await timeline_of(session, persons, limit=100_000, offset=0)
        cases = await cases_of(session, persons)
        visits = await visits_of(session, persons)
    content = file_workbook(record, entries, cases, visits, datetime.now(UTC))
    filename = quote(f"一人一档-{record.person_id}.xlsx")
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )


@router.get("", response_model=list[FileView])
async def list_files(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[FileView]:
    prefix = scope_prefix(caller.region)
    async with runtime.snapshot() as session:
        records = await session.scalars(
            select(LedgerFileRecord)
            .where(LedgerFileRecord.region_code.startswith(prefix))
            .order_by(LedgerFileRecord.opened_at.desc())
            .limit(limit)
            .offset(offset)
        )
        return [FileView.of(record) for record in records]
