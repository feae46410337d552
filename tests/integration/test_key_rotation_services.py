"""Rotating the field-encryption key in charity, the ledger and notify, on SQLite and on
PostgreSQL: values written through each service's own code under an old key read under
the new key alone afterwards."""

import os
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import select

from integration.conftest import MigratedDatabase, Sessions
from integration.test_cases import a_whole_life, registered
from wushe.charity.adapters.orm import DonorRecord
from wushe.charity.adapters.sealed_columns import SEALED_TABLES as CHARITY_SEALED
from wushe.charity.bootstrap import MIGRATIONS as CHARITY_MIGRATIONS
from wushe.charity.domain.donation import DonorEntry
from wushe.charity.service_layer.donors import add_donor, opened
from wushe.ledger.adapters.case_orm import CaseConferenceRecord, CaseRiskChangeRecord
from wushe.ledger.adapters.sealed_columns import SEALED_TABLES as LEDGER_SEALED
from wushe.ledger.adapters.visit_orm import VisitRecord
from wushe.ledger.bootstrap import MIGRATIONS as LEDGER_MIGRATIONS
from wushe.ledger.entrypoints.visits import VisitView
from wushe.ledger.service_layer.cases import DECISIONS, RISK_REASON, CaseDesk
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.ledger.service_layer.visits import NewVisit, record_visit
from wushe.notify.adapters.orm import PartnerRecord
from wushe.notify.adapters.sealed_columns import SEALED_TABLES as NOTIFY_SEALED
from wushe.notify.bootstrap import MIGRATIONS as NOTIFY_MIGRATIONS
from wushe.notify.service_layer.webhook_secrets import issue_secret, secrets_for_signing
from wushe.shared.auth import Caller, Role
from wushe.shared.events import Producer
from wushe.shared.events.visits import ServiceKind, VisitorKind
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.key_rotation import count_keys, rotate_keys
from wushe.shared.sealed_columns import SealedTable
from wushe.shared.unit_of_work import UnitOfWork

KEYS = {key_id: os.urandom(32) for key_id in ("k1", "k2")}
KEEPER = Caller(subject="keeper", role=Role.STATION_STAFF, region="420704")
WORKER = Caller(subject="worker-017", role=Role.SOCIAL_WORKER, region="420704")
LEDGER = Producer(service="ledger", deployment="test")
FINDINGS = "老人独居，冰箱里没有食物"


def cipher(current: str, *others: str) -> FieldCipher:
    return FieldCipher({key_id: KEYS[key_id] for key_id in (current, *others)}, current)


async def sealed_values(sessions: Sessions, tables: tuple[SealedTable, ...]) -> list[str]:
    values = []
    async with sessions() as session:
        for spec in tables:
            columns = [spec.table.c[column.name] for column in spec.columns]
            for row in (await session.execute(select(*columns))).all():
                values += [value for value in row if value is not None]
    return values


async def add_donors(sessions: Sessions, field_cipher: FieldCipher) -> dict[str, DonorEntry]:
    entries = [DonorEntry(name="李四", contact="13800000000"), DonorEntry(name="王五")]
    donors = {}
    async with sessions() as session:
        for entry in entries:
            donors[add_donor(session, entry, field_cipher, KEEPER)] = entry
        await session.commit()
    return donors


async def record_a_visit(
    sessions: Sessions, field_cipher: FieldCipher, findings: str | None
) -> None:
    person = uuid.uuid4()
    await apply_consumed(UnitOfWork(sessions), registered(person), LEDGER)
    await record_visit(
        UnitOfWork(sessions), LEDGER, field_cipher, WORKER, str(person),
        NewVisit(date.today(), VisitorKind.SOCIAL_WORKER, [ServiceKind.HOME_VISIT], findings),
    )  # fmt: skip


async def add_partner_secret(sessions: Sessions, field_cipher: FieldCipher) -> str:
    partner_id, now = str(uuid.uuid4()), datetime.now(UTC)
    async with sessions() as session:
        session.add(
            PartnerRecord(id=partner_id, name="区儿童保护中心", kind="child_protection_station",
                          regions=["420704"], webhook_url="https://example.org/alerts",
                          created_at=now)
        )  # fmt: skip
        await session.flush()
        secret = issue_secret(session, field_cipher, partner_id, now)
        await session.commit()
    return secret


async def test_a_charity_donor_reads_under_the_new_key_alone(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", CHARITY_MIGRATIONS)
    donors = await add_donors(sessions, cipher("k1"))

    report = await rotate_keys(UnitOfWork(sessions), cipher("k2", "k1"), CHARITY_SEALED)

    assert report.complete
    assert report.columns["donors.name_encrypted"].reencrypted == 2
    # One donor gave no contact: a NULL is no value to rotate.
    assert report.columns["donors.contact_encrypted"].reencrypted == 1
    assert all(value.startswith("k2:") for value in await sealed_values(sessions, CHARITY_SEALED))
    async with sessions() as session:
        for donor_id, entry in donors.items():
            record = await session.get(DonorRecord, donor_id)
            assert record is not None
            assert opened(record, cipher("k2")) == entry


async def test_the_ledger_sealed_texts_read_under_the_new_key_alone(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", LEDGER_MIGRATIONS)
    old = cipher("k1")
    await record_a_visit(sessions, old, FINDINGS)
    await record_a_visit(sessions, old, None)
    person = uuid.uuid4()
    await apply_consumed(UnitOfWork(sessions), registered(person), LEDGER)
    await a_whole_life(lambda: CaseDesk(UnitOfWork(sessions), LEDGER, old, WORKER), person)
    before = await sealed_values(sessions, LEDGER_SEALED)
    assert before and all(value.startswith("k1:") for value in before)

    report = await rotate_keys(UnitOfWork(sessions), cipher("k2", "k1"), LEDGER_SEALED)

    assert report.complete
    assert report.values_by_key_id == {"k1": len(before)}
    assert report.columns["ledger_visits.findings"].reencrypted == 1
    # Keyed by event id rather than by id.
    assert report.columns["ledger_case_risk_changes.reason"].reencrypted == 1
    assert all(value.startswith("k2:") for value in await sealed_values(sessions, LEDGER_SEALED))
    new = cipher("k2")
    async with sessions() as session:
        visits = (await session.scalars(select(VisitRecord).order_by(VisitRecord.id))).all()
        risk = await session.scalar(select(CaseRiskChangeRecord))
        conference = await session.scalar(select(CaseConferenceRecord))
    assert [VisitView.of(visit, new).findings for visit in visits] == [FINDINGS, None]
    assert risk is not None and new.decrypt(risk.reason, RISK_REASON) == "已有人照看"
    assert conference is not None and new.decrypt(conference.decisions, DECISIONS) == "协调助餐点"
    counted = await count_keys(UnitOfWork(sessions), new, LEDGER_SEALED)
    assert counted.complete and counted.values_by_key_id == {"k2": len(before)}


async def test_a_partner_webhook_secret_signs_under_the_new_key_alone(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("notify", NOTIFY_MIGRATIONS)
    secret = await add_partner_secret(sessions, cipher("k1"))

    report = await rotate_keys(UnitOfWork(sessions), cipher("k2", "k1"), NOTIFY_SEALED)

    assert report.complete
    assert report.columns["partner_secrets.sealed_secret"].reencrypted == 1
    async with sessions() as session:
        signing = await secrets_for_signing(
            session, cipher("k2"), [*await session.scalars(select(PartnerRecord.id))],
            datetime.now(UTC),
        )  # fmt: skip
    assert [found for secrets in signing.values() for found in secrets] == [secret]
