"""Rotating the field-encryption key: every sealed value of intake moves to the current key,
on SQLite and on PostgreSQL, and `wushe intake rotate-keys`, which runs it for intake alone."""

import asyncio
import base64
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import pytest
from rich.console import Console
from sqlalchemy import select, update
from typer.testing import CliRunner

from integration.conftest import MigratedDatabase, Sessions
from wushe.cli import main as cli_main
from wushe.intake.adapters.consent_orm import ConsentRecord
from wushe.intake.adapters.guardian_names import open_guardian_name
from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.adapters.personal_data import ADDRESS, NAME, PersonalDataVault
from wushe.intake.adapters.sealed_columns import SEALED_TABLES
from wushe.intake.bootstrap import MIGRATIONS
from wushe.intake.domain.consent import ConsentGrant
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.domain.profiles import PersonProfiles
from wushe.intake.service_layer.consent import grant_consent
from wushe.intake.service_layer.lifecycle import load_for_change
from wushe.intake.service_layer.registration import register_person
from wushe.shared.auth import Caller, Role
from wushe.shared.db import create_engine, session_factory
from wushe.shared.events import Producer
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.key_rotation import count_keys, rotate_keys
from wushe.shared.key_rotation_report import LeftBehindReason
from wushe.shared.migrations import upgrade_to_head
from wushe.shared.unit_of_work import UnitOfWork

KEYS = {key_id: os.urandom(32) for key_id in ("k0", "k1", "k2")}
INDEX_KEY = "index-key-for-rotation-tests"
CLERK = Caller(subject="clerk", role=Role.STATION_STAFF, region="420704")
PRODUCER = Producer(service="intake", deployment="test")

ELDER_NAME, ELDER_ID_NUMBER, ELDER_PHONE = "王秀兰", "42070419500312002X", "13800138000"
ELDER_ADDRESS = "鄂城区凤凰街道滨湖社区 3 栋 201"
ELDER_PROFILES = {"elderly": {"economic_source": "pension"}}
ELDER = {
    "full_name": ELDER_NAME, "id_number": ELDER_ID_NUMBER, "phone": ELDER_PHONE,
    "address": ELDER_ADDRESS, "residence_region": "420704", "household_region": "420704",
    "groups": ["elderly_empty_nest"], "profiles": ELDER_PROFILES,
}  # fmt: skip
CHILD = {
    "full_name": "李小明", "birth_date": "2016-05-01", "residence_region": "420704",
    "household_region": "420704", "groups": ["child_left_behind"],
}  # fmt: skip
GUARDIAN = "李桂芳"
OTHERS = ("张伟", "刘洋", "陈静", "杨帆", "赵磊")


def cipher(current: str, *others: str) -> FieldCipher:
    return FieldCipher({key_id: KEYS[key_id] for key_id in (current, *others)}, current)


def vault(field_cipher: FieldCipher) -> PersonalDataVault:
    return PersonalDataVault(field_cipher, INDEX_KEY)


async def register(sessions: Sessions, field_cipher: FieldCipher, **fields: object) -> UUID:
    return await register_person(
        UnitOfWork(sessions), PersonRegistration.model_validate(fields),
        caller=CLERK, producer=PRODUCER, vault=vault(field_cipher),
    )  # fmt: skip


async def seed(sessions: Sessions, field_cipher: FieldCipher) -> dict[str, UUID]:
    """An elder with every sealed field, a child with a guardian's consent, and a few
    more persons so that the tables span several batches."""
    ids = {
        "elder": await register(sessions, field_cipher, **ELDER),
        "child": await register(sessions, field_cipher, **CHILD),
    }
    for name in OTHERS:
        ids[name] = await register(
            sessions, field_cipher, full_name=name, residence_region="420704",
            household_region="420704", groups=["subsistence_allowance"],
        )  # fmt: skip
    uow = UnitOfWork(sessions)
    async with uow:
        record = await load_for_change(uow, ids["child"])
        grant = ConsentGrant.model_validate({
            "purpose": "data_sharing_with_partners", "recipient_kind": "child_protection_station",
            "given_by": "guardian", "guardian_name": GUARDIAN, "guardian_relation": "祖母",
            "evidence": "知情同意书 编号 HC-2026-0412",
        })  # fmt: skip
        await grant_consent(
            uow, record, grant, caller=CLERK, producer=PRODUCER, cipher=field_cipher
        )
        await uow.commit()
    return ids


async def stored_values(sessions: Sessions) -> list[str]:
    values = []
    async with sessions() as session:
        for spec in SEALED_TABLES:
            columns = [spec.table.c[column.name] for column in spec.columns]
            for row in (await session.execute(select(*columns))).all():
                values += [value for value in row if value is not None]
    return values


async def assert_readable(sessions: Sessions, ids: dict[str, UUID], reader: FieldCipher) -> None:
    """Everything decrypts to what was registered, and the blind indexes still find it."""
    persons = vault(reader)
    async with sessions() as session:
        elder = await session.scalar(
            select(PersonRecord).where(
                PersonRecord.full_name_index == persons.name_index(ELDER_NAME),
                PersonRecord.phone_index == persons.phone_index(ELDER_PHONE),
                PersonRecord.id_number_hash == persons.id_number_hash(ELDER_ID_NUMBER),
            )
        )
        consent = await session.scalar(
            select(ConsentRecord).where(ConsentRecord.person_id == str(ids["child"]))
        )
        others = {
            name: await session.scalar(
                select(PersonRecord).where(PersonRecord.full_name_index == persons.name_index(name))
            )
            for name in OTHERS
        }
    assert elder is not None and elder.id == str(ids["elder"])
    assert persons.full_name(elder) == ELDER_NAME
    assert persons.id_number(elder) == ELDER_ID_NUMBER
    assert persons.phone(elder) == ELDER_PHONE
    assert persons.address(elder) == ELDER_ADDRESS
    assert persons.profiles(elder) == PersonProfiles.model_validate(ELDER_PROFILES)
    assert consent is not None
    assert open_guardian_name(reader, consent.guardian_name_encrypted) == GUARDIAN
    for name, record in others.items():
        assert record is not None and record.id == str(ids[name])
        assert persons.full_name(record) == name


async def test_rotation_moves_every_value_to_the_current_key(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    ids = await seed(sessions, cipher("k1"))
    assert all(value.startswith("k1:") for value in await stored_values(sessions))
    rotating = cipher("k2", "k1")
    progress: list[tuple[int, int]] = []

    report = await rotate_keys(
        UnitOfWork(sessions), rotating, SEALED_TABLES, batch_size=3,
        on_progress=lambda done, total: progress.append((done, total)),
    )  # fmt: skip

    assert report.complete
    stored = await stored_values(sessions)
    assert len(stored) == 12  # the elder's 5, the names of 6 others, 1 guardian's name
    assert all(value.startswith("k2:") for value in stored)
    await assert_readable(sessions, ids, cipher("k2"))
    assert progress == [(3, 8), (6, 8), (7, 8), (8, 8)]  # 7 persons by three, then 1 consent
    tallies = report.columns
    assert tallies["persons.full_name_encrypted"].reencrypted == 7
    assert tallies["persons.profiles_encrypted"].reencrypted == 1
    assert tallies["consents.guardian_name_encrypted"].reencrypted == 1
    assert sum(tally.reencrypted for tally in tallies.values()) == 12
    assert report.values_by_key_id == {"k1": 12}

    again = await rotate_keys(UnitOfWork(sessions), rotating, SEALED_TABLES, batch_size=3)

    assert again.complete
    assert sum(tally.reencrypted for tally in again.columns.values()) == 0
    assert sum(tally.already_current for tally in again.columns.values()) == 12
    assert await stored_values(sessions) == stored
    counted = await count_keys(UnitOfWork(sessions), cipher("k2"), SEALED_TABLES)
    assert counted.complete and counted.values_by_key_id == {"k2": 12}


async def test_values_under_a_key_not_configured_are_reported_and_the_rest_rotated(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    ids = await seed(sessions, cipher("k1"))
    lost = await register(
        sessions, cipher("k0"), full_name="孙丽", phone="13912345678",
        residence_region="420704", household_region="420704", groups=["subsistence_allowance"],
    )  # fmt: skip
    async with sessions() as session:
        # A sealed name copied into the phone column: bound to another column, it never opens.
        await session.execute(
            update(PersonRecord)
            .where(PersonRecord.id == str(ids["张伟"]))
            .values(phone_encrypted=PersonRecord.full_name_encrypted)
        )
        await session.commit()
    rotating = cipher("k2", "k1")

    report = await rotate_keys(UnitOfWork(sessions), rotating, SEALED_TABLES, batch_size=2)

    assert not report.complete
    assert report.missing_key_ids == ["k0"]
    left = {(item.row_id, item.column, item.key_id, item.reason) for item in report.left_behind}
    assert left == {
        (str(lost), "full_name_encrypted", "k0", LeftBehindReason.UNKNOWN_KEY),
        (str(lost), "phone_encrypted", "k0", LeftBehindReason.UNKNOWN_KEY),
        (str(ids["张伟"]), "phone_encrypted", "k1", LeftBehindReason.DAMAGED),
    }
    assert report.columns["persons.full_name_encrypted"].unknown_key == 1
    assert report.columns["persons.phone_encrypted"].damaged == 1
    await assert_readable(sessions, ids, cipher("k2"))
    async with sessions() as session:
        unrotated = await session.get(PersonRecord, str(lost))
    assert unrotated is not None and unrotated.full_name_encrypted.startswith("k0:")
    assert vault(cipher("k0")).full_name(unrotated) == "孙丽"

    counted = await count_keys(UnitOfWork(sessions), rotating, SEALED_TABLES)
    assert counted.missing_key_ids == ["k0"]
    # Counting opens nothing: the copied name still reads as a value under k1.
    assert counted.values_by_key_id == {"k2": 12, "k1": 1, "k0": 2}


async def test_a_stopped_run_leaves_every_row_readable_and_the_next_one_finishes(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    ids = await seed(sessions, cipher("k1"))
    rotating = cipher("k2", "k1")

    def stop_after_first_batch(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await rotate_keys(
            UnitOfWork(sessions),
            rotating,
            SEALED_TABLES,
            batch_size=2,
            on_progress=stop_after_first_batch,
        )

    counted = await count_keys(UnitOfWork(sessions), rotating, SEALED_TABLES)
    assert set(counted.values_by_key_id) == {"k1", "k2"}
    await assert_readable(sessions, ids, rotating)

    report = await rotate_keys(UnitOfWork(sessions), rotating, SEALED_TABLES, batch_size=2)

    assert report.complete
    assert report.values_by_key_id["k2"] > 0
    assert all(value.startswith("k2:") for value in await stored_values(sessions))
    await assert_readable(sessions, ids, cipher("k2"))


@dataclass(frozen=True)
class ChangingWhileRotated(FieldCipher):
    """Renames a person in another connection just after the rotation has read the row."""

    database: Path = Path()
    person_id: str = ""
    new_name: str = ""
    renamed: list[bool] = field(default_factory=list)

    def decrypt(self, stored: str, column: str) -> str:
        if column == NAME and not self.renamed:
            self.renamed.append(True)
            connection = sqlite3.connect(self.database)
            try:
                connection.execute(
                    "UPDATE persons SET full_name_encrypted = ? WHERE id = ?",
                    (self.encrypt(self.new_name, NAME), self.person_id),
                )
                connection.commit()
            finally:
                connection.close()
        return super().decrypt(stored, column)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_value_changed_during_the_rotation_is_not_overwritten(
    migrated_database: MigratedDatabase, tmp_path: Path
) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    person_id = await register(sessions, cipher("k1"), **ELDER)
    rotating = ChangingWhileRotated(
        {"k1": KEYS["k1"], "k2": KEYS["k2"]}, "k2",
        database=tmp_path / "intake.db", person_id=str(person_id), new_name="王秀英",
    )  # fmt: skip

    report = await rotate_keys(UnitOfWork(sessions), rotating, SEALED_TABLES, batch_size=1)

    assert report.complete
    async with sessions() as session:
        record = await session.get(PersonRecord, str(person_id))
    assert record is not None
    assert vault(cipher("k2")).full_name(record) == "王秀英"
    assert vault(cipher("k2")).phone(record) == ELDER_PHONE
    assert report.columns["persons.full_name_encrypted"].already_current == 1
    assert report.columns["persons.phone_encrypted"].reencrypted == 1


def test_the_command_rotates_and_the_dry_run_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    upgrade_to_head(MIGRATIONS, url)

    async def seeded() -> UUID:
        engine = create_engine(url)
        try:
            sessions = session_factory(engine)
            elder = (await seed(sessions, cipher("k1")))["elder"]
            async with sessions() as session:
                # Under a key that the command will not be given.
                await session.execute(
                    update(PersonRecord)
                    .where(PersonRecord.id == str(elder))
                    .values(address_encrypted=cipher("k0").encrypt("某地", ADDRESS))
                )
                await session.commit()
            return elder
        finally:
            await engine.dispose()

    elder = asyncio.run(seeded())
    encoded = ",".join(f"{key_id}={base64.b64encode(KEYS[key_id]).decode()}"
                       for key_id in ("k1", "k2"))  # fmt: skip
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    monkeypatch.setenv("WUSHE_ENCRYPTION_KEYS", encoded)
    monkeypatch.setenv("WUSHE_ENCRYPTION_KEY_ID", "k2")
    monkeypatch.setattr(cli_main, "console", Console(width=200))
    runner = CliRunner()

    dry = runner.invoke(cli_main.app, ["intake", "rotate-keys", "--dry-run"])
    assert dry.exit_code == 1, dry.output
    assert "12 values are under keys other than the current 'k2': 'k0' (1), 'k1' (11)" in (
        dry.output
    )
    assert "k0 (not configured)" in dry.output
    assert "1 value is under key 'k0', which is not configured" in dry.output

    left_behind = tmp_path / "left-behind.csv"
    rotated = runner.invoke(
        cli_main.app, ["intake", "rotate-keys", "--left-behind-csv", str(left_behind)]
    )
    assert rotated.exit_code == 1, rotated.output
    assert "re-encrypted under key 'k2'" in rotated.output
    assert "persons.full_name_encrypted" in rotated.output
    assert "consents.guardian_name_encrypted" in rotated.output
    lines = left_behind.read_text().splitlines()
    assert lines[0] == "service,table,row_id,column,key_id,reason"
    assert lines[1:] == [f"intake,persons,{elder},address_encrypted,k0,unknown_key"]

    connection = sqlite3.connect(tmp_path / "intake.db")
    try:
        connection.execute("UPDATE persons SET address_encrypted = NULL")
        connection.commit()
    finally:
        connection.close()
    clean = runner.invoke(cli_main.app, ["intake", "rotate-keys"])
    assert clean.exit_code == 0, clean.output
    assert "every value of intake is under key 'k2'" in clean.output
    dry_again = runner.invoke(cli_main.app, ["intake", "rotate-keys", "--dry-run"])
    assert dry_again.exit_code == 0, dry_again.output
    # Another service may still have values under k1: intake alone does not say it can go.
    assert "no value of intake is under 'k1'; before removing it" in dry_again.output


def test_the_command_refuses_a_database_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setattr(cli_main, "console", Console(width=200))

    result = CliRunner().invoke(cli_main.app, ["intake", "rotate-keys"])

    assert result.exit_code == 1
    assert "intake has no database at" in result.output
    assert not (tmp_path / "none.db").exists()
