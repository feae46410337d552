"""Persons that arrive without being compared (imported, or registered before duplicates
were looked for) are compared by the background sweep, on SQLite and on PostgreSQL."""

import asyncio
from typing import Any

from alembic import command
from sqlalchemy import insert, select, text
from uuid_utils.compat import uuid7

from integration.conftest import MigratedDatabase, Sessions
from wushe.intake.adapters.merge_orm import DuplicateCandidateRecord
from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.bootstrap import MIGRATIONS
from wushe.intake.domain.changes import PersonUpdate
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.duplicate_sweep import sweep_unchecked
from wushe.intake.service_layer.lifecycle import load_for_change, update_person
from wushe.intake.service_layer.registration import person_values, register_person
from wushe.shared.auth import Caller, Role
from wushe.shared.db import create_engine, session_factory
from wushe.shared.events import Producer
from wushe.shared.migrations import alembic_config
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

CLERK = Caller(subject="clerk", role=Role.STATION_STAFF, region="420704")


def vault() -> PersonalDataVault:
    settings = Settings()
    return PersonalDataVault(settings.field_cipher(), settings.data_key.get_secret_value())


def imported(full_name: str, id_number: str | None = None, **fields: Any) -> dict[str, Any]:
    """A person row as a ledger import writes it: sealed, never compared."""
    registration = PersonRegistration(
        full_name=full_name, id_number=id_number, residence_region="420704001002",
        household_region="420704", groups=["subsistence_allowance"], **fields,
    )  # fmt: skip
    person, _ = person_values(uuid7(), registration, CLERK, vault())
    return person


async def pairs(sessions: Sessions) -> list[tuple[set[str], str]]:
    async with sessions() as session:
        rows = await session.scalars(select(DuplicateCandidateRecord))
        return [({r.first_person_id, r.second_person_id}, r.rule) for r in rows]


async def test_imported_persons_are_compared_once(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    rows = [
        imported("郑淑芬", birth_date="1949-05-06"),
        imported("郑淑芬", birth_date="1949-05-06"),
        imported("郑淑棻", birth_date="1949-05-06"),
        imported("郑淑芬", "420704194905060025"),
        imported("郑淑芬", "420704194905060041"),
    ]
    async with sessions() as session, session.begin():
        await session.execute(insert(PersonRecord), rows)

    assert await sweep_unchecked(UnitOfWork(sessions), batch_size=3) == 3
    assert await sweep_unchecked(UnitOfWork(sessions), batch_size=3) == 2
    assert await sweep_unchecked(UnitOfWork(sessions), batch_size=3) == 0

    same, homophone, first_id, second_id = (
        {rows[0]["id"], rows[1]["id"]}, {rows[0]["id"], rows[2]["id"]},
        rows[3]["id"], rows[4]["id"],
    )  # fmt: skip
    found = await pairs(sessions)
    assert (same, "name_birth_date_village") in found
    assert (homophone, "pinyin_birth_date") in found
    assert all({first_id, second_id} != pair for pair, _ in found)
    assert len(found) == len({frozenset(pair) for pair, _ in found})
    async with sessions() as session:
        unchecked = await session.scalar(
            select(PersonRecord.id).where(PersonRecord.duplicates_checked_at.is_(None))
        )
    assert unchecked is None


async def test_the_upgrade_indexes_existing_names_for_the_sweep(empty_database: str) -> None:
    url = empty_database
    config = alembic_config(MIGRATIONS, url)
    await asyncio.to_thread(command.upgrade, config, "intake_0006")
    engine = create_engine(url)
    sealed = vault()
    try:
        async with engine.begin() as connection:
            for person_id, full_name in (("p1", "冯秀英"), ("p2", "冯秀瑛")):
                await connection.execute(
                    text(
                        "INSERT INTO persons (id, full_name_encrypted, full_name_index, "
                        "birth_date, residence_region, station_region, groups, registered_by, "
                        "registered_at) VALUES (:id, :full_name_encrypted, :full_name_index, "
                        "'1950-01-02', "
                        "'420704', '420704', '[]', 'clerk', CURRENT_TIMESTAMP)"
                    ),
                    {"id": person_id} | sealed.name_columns(full_name),
                )
        await asyncio.to_thread(command.upgrade, config, "head")
        sessions = session_factory(engine)
        async with sessions() as session:
            indexes = await session.scalars(
                select(PersonRecord.full_name_pinyin_index).order_by(PersonRecord.id)
            )
            assert list(indexes) == [sealed.pinyin_index("冯秀英")] * 2
        assert await sweep_unchecked(UnitOfWork(sessions), batch_size=10) == 2
        assert await pairs(sessions) == [({"p1", "p2"}, "pinyin_birth_date")]
    finally:
        await engine.dispose()


async def test_a_renamed_person_is_compared_again(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("intake", MIGRATIONS)
    sealed, producer = vault(), Producer(service="intake", deployment="test")
    registered = []
    for full_name in ("钟桂兰", "钟贵莲"):
        registration = PersonRegistration(
            full_name=full_name, birth_date="1944-02-03", residence_region="420704",
            household_region="420704", groups=["elderly_living_alone"],
        )  # fmt: skip
        registered.append(
            await register_person(
                UnitOfWork(sessions), registration, caller=CLERK, producer=producer, vault=sealed
            )
        )
    assert await pairs(sessions) == []
    assert await sweep_unchecked(UnitOfWork(sessions), batch_size=10) == 0

    uow = UnitOfWork(sessions)
    async with uow:
        record = await load_for_change(uow, registered[1])
        change = PersonUpdate(full_name="钟贵兰", reason="户口本核对更正")
        await update_person(uow, record, change, caller=CLERK, producer=producer, vault=sealed)
        await uow.commit()
    assert await sweep_unchecked(UnitOfWork(sessions), batch_size=10) == 1
    assert await pairs(sessions) == [({str(p) for p in registered}, "pinyin_birth_date")]
