"""A ledger of seven batches, more than enough for worker processes to prepare the rows:
every row is written once with its group periods, history line and outbox event, on
SQLite and on PostgreSQL; imported again, the workers seal none of its rows."""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from integration.conftest import MigratedDatabase
from support.ledger_generator import LedgerGenerator, write_csv
from wushe.intake.adapters.orm import GroupMembershipRecord, ImportJobRecord, PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.adapters.spreadsheets import open_ledger
from wushe.intake.bootstrap import MIGRATIONS
from wushe.intake.domain.children_at_risk import any_at_risk
from wushe.intake.service_layer.bulk_import import LedgerImport
from wushe.intake.service_layer.row_preparation import AlreadyRegistered, prepare_rows
from wushe.shared.auth import Caller, Role
from wushe.shared.events import Producer
from wushe.shared.field_encryption import partner_alert_context
from wushe.shared.messaging_tables import outbox
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

CLERK = Caller(subject="clerk", role=Role.STATION_STAFF, region="420700")
ROWS = 700


async def test_worker_processes_write_every_row_once(
    migrated_database: MigratedDatabase, tmp_path: Path
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    ledger = write_csv(tmp_path / "ledger.csv", LedgerGenerator(seed=3).rows(ROWS))
    vault = PersonalDataVault(Settings().field_cipher(), "index-key")

    def importer(job_id: str) -> LedgerImport:
        return LedgerImport(
            UnitOfWork(sessions), job_id, CLERK, Producer(service="intake", deployment="test"),
            vault, tmp_path / f"{job_id}-rejected.xlsx", batch_rows=100, workers=2,
        )  # fmt: skip

    async def run(job_id: str) -> ImportJobRecord:
        async with sessions() as session:
            now = datetime.now(UTC)
            session.add(ImportJobRecord(id=job_id, file_name="ledger.csv", status="running",
                                        rows_read=0, accepted=0, already_present=0, rejected=0,
                                        started_by="clerk", station_region="420700",
                                        started_at=now, heartbeat_at=now))  # fmt: skip
            await session.commit()
        await importer(job_id).run(ledger)
        async with sessions() as session:
            job = await session.get(ImportJobRecord, job_id)
            assert job is not None
            return job

    first = await run("first")
    assert (first.status, first.accepted, first.rejected) == ("done", ROWS, 0)
    second = await run("second")
    assert (second.accepted, second.already_present) == (0, ROWS)
    sheet = open_ledger(ledger)
    context = await importer("third")._context(sheet, in_workers=True)
    batch = await asyncio.to_thread(prepare_rows, context, list(sheet.rows())[:100])
    # Every row of the batch is answered, and none of them sealed: all() of none would pass.
    assert len(batch.outcomes) == 100
    assert all(isinstance(outcome, AlreadyRegistered) for outcome in batch.outcomes)

    async with sessions() as session:
        persons = await session.scalar(select(func.count()).select_from(PersonRecord))
        periods = await session.scalar(select(func.count()).select_from(GroupMembershipRecord))
        events = (await session.execute(select(outbox.c.event_type, outbox.c.body))).all()
        sample = await session.scalar(select(PersonRecord).limit(1))
        unchecked = await session.scalar(
            select(func.count()).where(PersonRecord.duplicates_checked_at.is_(None))
        )
    assert persons == ROWS and periods is not None and periods >= ROWS
    assert len(events) == ROWS and {e.event_type for e in events} == {"person.registered"}
    assert sample is not None and vault.full_name(sample)
    assert sample.registered_at.year >= 2026
    assert unchecked == 0  # compared for likely duplicates in the import's own batches

    # Children at risk carry their name sealed for notify, built in the workers; no one else.
    payloads = [json.loads(e.body)["payload"] for e in events]
    at_risk = [p for p in payloads if any_at_risk(p["groups"])]
    assert at_risk and len(at_risk) < len(payloads)
    assert all("name_sealed" in p for p in at_risk)
    assert not any("name_sealed" in p or "address_sealed" in p
                   for p in payloads if not any_at_risk(p["groups"]))  # fmt: skip
    async with sessions() as session:
        child = await session.get(PersonRecord, at_risk[0]["person_id"])
    assert child is not None
    opened = vault.cipher.decrypt(at_risk[0]["name_sealed"], partner_alert_context("name"))
    assert opened == vault.full_name(child)
