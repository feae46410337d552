"""Ledger's HTTP API."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import func, select

from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.shared.auth import CurrentCaller, require_region
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import scope_prefix

router = APIRouter(prefix="/files", tags=["files"])


class FileView(BaseModel):
    file_id: UUID
    person_id: UUID
    region_code: str
    groups: list[str]
    status: str
    opened_at: datetime
    trace_id: str | None

    @classmethod
    def of(cls, record: LedgerFileRecord) -> "FileView":
        return cls(
            file_id=UUID(record.id),
            person_id=UUID(record.person_id),
            region_code=record.region_code,
            groups=record.groups,
            status=record.status,
            opened_at=record.opened_at,
            trace_id=record.trace_id,
        )


class FileCount(BaseModel):
    region: str
    open_files: int


@router.get("/count", response_model=FileCount)
async def count_files(caller: CurrentCaller, runtime: RuntimeDep) -> FileCount:
    prefix = scope_prefix(caller.region)
    async with runtime.sessions() as session:
        total = await session.scalar(
            select(func.count())
            .select_from(LedgerFileRecord)
            .where(LedgerFileRecord.region_code.startswith(prefix))
        )
    return FileCount(region=caller.region, open_files=int(total or 0))


@router.get("/{person_id}", response_model=FileView)
async def get_file(person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> FileView:
    """The file of one person, found by the person id intake assigned."""
    async with runtime.sessions() as session:
        record = await session.scalar(
            select(LedgerFileRecord).where(LedgerFileRecord.person_id == str(person_id))
        )
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no file for person {person_id}")
    require_region(caller, record.region_code)
    return FileView.of(record)


@router.get("", response_model=list[FileView])
async def list_files(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[FileView]:
    prefix = scope_prefix(caller.region)
    async with runtime.sessions() as session:
        records = await session.scalars(
            select(LedgerFileRecord)
            .where(LedgerFileRecord.region_code.startswith(prefix))
            .order_by(LedgerFileRecord.opened_at.desc())
            .limit(limit)
            .offset(offset)
        )
        return [FileView.of(record) for record in records]
