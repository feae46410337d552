"""Import jobs run beside the API: a job is started by an upload, reports its progress
in its row, and leaves the refused rows in a workbook.

Both files hold personal data in clear while the job runs. When it ends the upload is
deleted and the refused rows are sealed with the field-encryption key, to be opened
only when a clerk downloads them.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from opentelemetry import trace
from uuid_utils.compat import uuid7

from wushe.intake.adapters.orm import ImportJobRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.service_layer.bulk_import import JobStatus, LedgerImport
from wushe.shared.auth import Caller
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.telemetry import current_trace_id

tracer = trace.get_tracer(__name__)


@dataclass
class ImportJobs:
    runtime: ServiceRuntime
    vault: PersonalDataVault

    @property
    def folder(self) -> Path:
        return self.runtime.settings.data_dir / "imports"

    def uploaded_path(self, job_id: str, suffix: str) -> Path:
        return self.folder / f"{job_id}{suffix}"

    def rejected_path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}-rejected.xlsx"

    def sealed_rejected_path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}-rejected.xlsx.sealed"

    def rejected_workbook(self, job_id: str) -> bytes | None:
        """The refused rows of a finished job, opened; None when there were none."""
        sealed, plain = self.sealed_rejected_path(job_id), self.rejected_path(job_id)
        if sealed.exists():
            return self.vault.cipher.open_bytes(sealed.read_bytes(), _rejected_context(job_id))
        # The job has just reported done and is sealing the file.
        return plain.read_bytes() if plain.exists() else None

    def _seal_rejected(self, job_id: str) -> None:
        plain = self.rejected_path(job_id)
        if plain.exists():
            sealed = self.vault.cipher.seal_bytes(plain.read_bytes(), _rejected_context(job_id))
            self.sealed_rejected_path(job_id).write_bytes(sealed)
            plain.unlink()

    async def create(self, file_name: str, caller: Caller) -> str:
        job_id = str(uuid7())
        uow = self.runtime.unit_of_work()
        async with uow:
            uow.session.add(
                ImportJobRecord(
                    id=job_id, file_name=file_name, status=JobStatus.RUNNING, rows_read=0,
                    accepted=0, already_present=0, rejected=0, started_by=caller.subject,
                    station_region=caller.region, started_at=datetime.now(UTC),
                    heartbeat_at=datetime.now(UTC),
                    trace_id=current_trace_id(),
                )
            )  # fmt: skip
            await uow.commit()
        return job_id

    def start(self, job_id: str, path: Path, caller: Caller) -> None:
        task = asyncio.create_task(self._run(job_id, path, caller), name=f"import {job_id}")
        # Stopping the service cancels the job with the service's other background work.
        self.runtime.background.append(task)
        task.add_done_callback(self.runtime.background.remove)

    async def _run(self, job_id: str, path: Path, caller: Caller) -> None:
        with tracer.start_as_current_span("import ledger", attributes={"import.job_id": job_id}):
            try:
                await LedgerImport(
                    self.runtime.unit_of_work(), job_id, caller, self.runtime.producer,
                    self.vault, self.rejected_path(job_id), self.runtime.settings.topic_prefix,
                ).run(path)  # fmt: skip
            finally:
                await asyncio.to_thread(path.unlink, missing_ok=True)
                await asyncio.to_thread(self._seal_rejected, job_id)


def _rejected_context(job_id: str) -> str:
    return f"imports.rejected:{job_id}"
