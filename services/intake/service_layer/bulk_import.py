"""Importing a station's ledger: each row registered or refused on its own, in batches
that commit the people, their events and the job's progress together.

Rows are checked and sealed in worker processes while this process reads the file and
writes the batches, so a large ledger uses every core and the API stays responsive.
Importing the same file again creates nothing twice: a row with an ID number is the
person with that number; a row without one is known by a keyed fingerprint of its name,
birth date and regions.
"""

import asyncio
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import update
from uuid_utils.compat import uuid7

from wushe.intake.adapters.orm import ImportJobRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.adapters.spreadsheets import (
    LedgerSheet,
    RejectedRows,
    UnreadableLedger,
    open_ledger,
)
from wushe.intake.domain.ledger_cells import Cell
from wushe.intake.domain.ledger_rows import LedgerLayout
from wushe.intake.service_layer.duplicate_finding import likely_pairs, record_pairs
from wushe.intake.service_layer.registered_identities import registered_among
from wushe.intake.service_layer.row_preparation import (
    TABLES,
    AlreadyRegistered,
    ImportContext,
    Prepared,
    PreparedBatch,
    Refused,
    Row,
    prepare_rows,
)
from wushe.shared.auth import Caller
from wushe.shared.bulk_insert import execute_many
from wushe.shared.events import Producer
from wushe.shared.outbox import trace_headers
from wushe.shared.telemetry import current_trace_id
from wushe.shared.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

# A commit rewrites every page of the keyed-hash indexes (name, ID number, phone, pinyin)
# that its rows landed on, at random: the more rows share a commit, the fewer page writes
# each row costs (persons cost a quarter less to write in batches of 2,500 than of 1,000).
BATCH_ROWS = 2500
# Below this many batches, starting worker processes costs more than it saves.
WORKER_BATCHES = 3


class JobStatus:
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


# A running job commits a batch every few seconds; one silent for this long has stopped
# with the process that ran it.
SILENCE_BEFORE_INTERRUPTED = timedelta(seconds=60)


def shown_status(job: ImportJobRecord, now: datetime) -> str:
    heartbeat = job.heartbeat_at.replace(tzinfo=job.heartbeat_at.tzinfo or UTC)
    if job.status == JobStatus.RUNNING and now - heartbeat > SILENCE_BEFORE_INTERRUPTED:
        return JobStatus.INTERRUPTED
    return job.status


def worker_count() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass
class LedgerImport:
    uow: UnitOfWork
    job_id: str
    caller: Caller
    producer: Producer
    vault: PersonalDataVault
    rejected_path: Path
    topic_prefix: str = ""
    batch_rows: int = BATCH_ROWS
    workers: int = field(default_factory=worker_count)
    _first_row_of: dict[str, int] = field(default_factory=dict)

    async def run(self, path: Path) -> None:
        try:
            sheet = open_ledger(path)
        except UnreadableLedger as error:
            await self._finish(JobStatus.FAILED, str(error))
            return
        missing = LedgerLayout(sheet.headers, sheet.columns).missing()
        if missing:
            names = "、".join(column.header for column in missing)
            await self._finish(JobStatus.FAILED, f"required columns missing: {names} (缺少必填列)")
            return
        await self._update(rows_total=sheet.rows_total)
        rejected = RejectedRows(self.rejected_path, sheet.headers)
        pool = self._pool(sheet)
        try:
            await self._import(sheet, await self._context(sheet, pool is not None), pool, rejected)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        rejected.close()
        await self._finish(JobStatus.DONE, None)

    async def _context(self, sheet: LedgerSheet, in_workers: bool) -> ImportContext:
        async with self.uow:
            engine = (await self.uow.session.connection()).engine
        dialect = engine.dialect
        return ImportContext(
            tuple(str(header or "") for header in sheet.headers), self.caller, self.producer,
            self.vault, self.job_id, self.topic_prefix, f"{dialect.name}+{dialect.driver}",
            current_trace_id(), trace_headers(), uuid7(),
            engine.url.render_as_string(hide_password=False) if in_workers else None,
        )  # fmt: skip

    def _pool(self, sheet: LedgerSheet) -> Executor | None:
        if sheet.rows_total is not None and sheet.rows_total < WORKER_BATCHES * self.batch_rows:
            return None
        # Spawned, not forked: this process runs threads (database, telemetry).
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))

    async def _import(
        self, sheet: LedgerSheet, context: ImportContext, pool: Executor | None,
        rejected: RejectedRows,
    ) -> None:  # fmt: skip
        loop = asyncio.get_running_loop()
        in_flight: deque[tuple[list[Row], asyncio.Future[PreparedBatch]]] = deque()
        for rows in _batches(sheet.rows(), self.batch_rows):
            if pool is None:
                await self._commit(rows, prepare_rows(context, rows), rejected)
                continue
            in_flight.append((rows, loop.run_in_executor(pool, prepare_rows, context, rows)))
            # Each worker has a batch queued behind the one it prepares, so that none
            # waits while this process writes a batch.
            if len(in_flight) > 2 * self.workers:
                rows, prepared = in_flight.popleft()
                await self._commit(rows, await prepared, rejected)
        while in_flight:
            rows, prepared = in_flight.popleft()
            await self._commit(rows, await prepared, rejected)

    def _first_sight(
        self, row: Prepared | AlreadyRegistered
    ) -> Prepared | AlreadyRegistered | Refused:
        first = self._first_row_of.setdefault(row.identity, row.row_number)
        if first == row.row_number:
            return row
        reason = f"row {row.row_number}: the same person as row {first} (与第{first}行为同一人)"
        return Refused(row.row_number, [reason])

    async def _commit(self, rows: list[Row], batch: PreparedBatch, rejected: RejectedRows) -> None:
        outcomes = [o if isinstance(o, Refused) else self._first_sight(o) for o in batch.outcomes]
        cells = dict(rows)
        for outcome in outcomes:
            if isinstance(outcome, Refused):
                rejected.add(cells[outcome.row_number], outcome.reasons)
        ready = [outcome for outcome in outcomes if isinstance(outcome, Prepared)]
        refused = sum(isinstance(outcome, Refused) for outcome in outcomes)
        async with self.uow:
            present = await registered_among(
                self.uow.session,
                [row.identity for row in ready if row.by_id_number],
                [row.identity for row in ready if not row.by_id_number],
            )
            new = [row for row in ready if row.identity not in present]
            known = len(outcomes) - refused - len(new)
            # Looked up before the batch is written, so that only the others are read back.
            pairs = await likely_pairs(self.uow, [(row.person_id, row.traits) for row in new])
            await self._insert(new, batch.statements)
            await record_pairs(self.uow, pairs)
            await self.uow.session.execute(
                update(ImportJobRecord)
                .where(ImportJobRecord.id == self.job_id)
                .values(
                    rows_read=ImportJobRecord.rows_read + len(outcomes),
                    accepted=ImportJobRecord.accepted + len(new),
                    already_present=ImportJobRecord.already_present + known,
                    rejected=ImportJobRecord.rejected + refused,
                    heartbeat_at=datetime.now(UTC),
                )
            )
            await self.uow.commit()

    async def _insert(self, rows: list[Prepared], statements: dict[str, str]) -> None:
        """One round trip per table: the ORM's unit of work would cost more than the rows."""
        for position, table in enumerate(TABLES):
            values = [value for row in rows for value in row.values[position]]
            if values:
                await execute_many(self.uow.session, statements[table.name], values)
        self.uow.count_emitted(len(rows))

    async def _update(self, **values: Any) -> None:
        async with self.uow:
            await self.uow.session.execute(
                update(ImportJobRecord)
                .where(ImportJobRecord.id == self.job_id)
                .values(heartbeat_at=datetime.now(UTC), **values)
            )
            await self.uow.commit()

    async def _finish(self, status: str, error: str | None) -> None:
        await self._update(status=status, error=error, finished_at=datetime.now(UTC))
        log.info("ledger import finished", job_id=self.job_id, status=status, error=error)


def _batches(rows: Iterator[tuple[int, Sequence[Cell]]], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch
