"""Intake's HTTP API for importing station ledgers and downloading their templates."""

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, BinaryIO
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile, status
from pydantic import BaseModel

from wushe.intake.adapters.orm import ImportJobRecord
from wushe.intake.adapters.spreadsheets import template_workbook
from wushe.intake.domain.ledger_templates import KINDS, template
from wushe.intake.entrypoints.dependencies import REGISTRARS
from wushe.intake.service_layer.bulk_import import shown_status
from wushe.intake.service_layer.import_jobs import ImportJobs
from wushe.shared.auth import Caller, CurrentCaller, require_region, require_role
from wushe.shared.http import RuntimeDep

router = APIRouter(prefix="/imports", tags=["imports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READABLE = (".xlsx", ".xlsm", ".csv")
CHUNK = 1 << 20


async def get_jobs(request: Request) -> ImportJobs:
    jobs: ImportJobs = request.app.state.import_jobs
    return jobs


JobsDep = Annotated[ImportJobs, Depends(get_jobs)]


class ImportJobView(BaseModel):
    job_id: UUID
    file_name: str
    status: str
    rows_total: int | None
    rows_read: int
    accepted: int
    already_present: int
    rejected: int
    progress: float | None
    error: str | None
    rejected_rows_url: str | None
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    trace_id: str | None

    @classmethod
    def of(cls, job: ImportJobRecord) -> "ImportJobView":
        done = job.status == "done"
        progress = 1.0 if done else None
        if not done and job.rows_total:
            progress = round(min(1.0, job.rows_read / job.rows_total), 4)
        return cls(
            job_id=UUID(job.id), file_name=job.file_name,
            status=shown_status(job, datetime.now(UTC)), rows_total=job.rows_total,
            rows_read=job.rows_read, accepted=job.accepted, already_present=job.already_present,
            rejected=job.rejected, progress=progress, error=job.error,
            rejected_rows_url=f"/imports/{job.id}/rejected" if done and job.rejected else None,
            started_by=job.started_by, started_at=job.started_at, finished_at=job.finished_at,
            trace_id=job.trace_id,
        )  # fmt: skip


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


@router.get("/templates/{kind}", response_class=Response)
async def download_template(kind: str, caller: CurrentCaller) -> Response:
    """An `.xlsx` ledger template: `general`, `elderly`, `child`, `disabled`,
    `mental_health`, `homeless` or `assistance`."""
    require_role(caller, *REGISTRARS)
    if kind not in KINDS:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no template {kind!r}; choose one of {', '.join(KINDS)}",
        )
    columns, example = template(kind)
    return Response(
        template_workbook(kind, columns, example), media_type=XLSX,
        headers=_attachment(f"服务对象台账模板-{kind}.xlsx"),
    )  # fmt: skip


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=ImportJobView)
async def start_import(
    file: Annotated[UploadFile, File(description="The ledger, .xlsx or .csv")],
    caller: CurrentCaller,
    runtime: RuntimeDep,
    jobs: JobsDep,
    response: Response,
) -> ImportJobView:
    """Import a station ledger. Rows are registered in the background; follow the job at
    the returned `Location` until its status is `done`."""
    require_role(caller, *REGISTRARS)
    name = Path(file.filename or "ledger").name
    suffix = Path(name).suffix.lower()
    if suffix not in READABLE:
        message = f"{name}: only .xlsx and .csv ledgers can be imported (仅支持xlsx和csv)"
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{"loc": ["body", "file"], "type": "value_error", "msg": message}],
        )
    job_id = await jobs.create(name, caller)
    path = jobs.uploaded_path(job_id, suffix)
    await file.seek(0)
    await asyncio.to_thread(_save_upload, file.file, path)
    jobs.start(job_id, path, caller)
    response.headers["Location"] = f"/imports/{job_id}"
    return await _view(runtime, caller, job_id)


def _save_upload(source: BinaryIO, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        shutil.copyfileobj(source, target, CHUNK)


async def _job(runtime: RuntimeDep, caller: Caller, job_id: str) -> ImportJobRecord:
    require_role(caller, *REGISTRARS)
    async with runtime.sessions() as session:
        job = await session.get(ImportJobRecord, job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no import {job_id}")
    require_region(caller, job.station_region, field="station_region")
    return job


async def _view(runtime: RuntimeDep, caller: Caller, job_id: str) -> ImportJobView:
    return ImportJobView.of(await _job(runtime, caller, job_id))


@router.get("/{job_id}", response_model=ImportJobView)
async def import_progress(
    job_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> ImportJobView:
    """How far the import has come: rows read of the total, accepted, already present,
    rejected."""
    return await _view(runtime, caller, str(job_id))


@router.get(
    "/{job_id}/rejected",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The refused rows (.xlsx)"}},
)
async def rejected_rows(
    job_id: UUID, caller: CurrentCaller, runtime: RuntimeDep, jobs: JobsDep
) -> Response:
    """The refused rows as they were, with the reasons in a last column: correct them and
    import this file again."""
    job = await _job(runtime, caller, str(job_id))
    workbook = (
        await asyncio.to_thread(jobs.rejected_workbook, job.id) if job.status == "done" else None
    )
    if workbook is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="no rejected rows for this import")
    stem = Path(job.file_name).stem
    return Response(workbook, media_type=XLSX, headers=_attachment(f"{stem}-未导入.xlsx"))
