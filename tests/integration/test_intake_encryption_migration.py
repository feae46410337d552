"""Upgrading a database registered before encryption encrypts the names and phones in it."""

import asyncio

from alembic import command
from sqlalchemy import text

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.bootstrap import MIGRATIONS
from wushe.shared.db import create_engine, session_factory
from wushe.shared.migrations import alembic_config
from wushe.shared.settings import Settings


async def test_existing_rows_are_encrypted_by_the_upgrade(empty_database: str) -> None:
    url = empty_database
    config = alembic_config(MIGRATIONS, url)
    await asyncio.to_thread(command.upgrade, config, "intake_0002")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO persons (id, full_name, phone, residence_region, station_region,"
                    " groups, registered_by, registered_at) VALUES ('p1', '李桂芳', '13800138000',"
                    " '420704', '420704', '[]', 'clerk', CURRENT_TIMESTAMP)"
                )
            )
        await asyncio.to_thread(command.upgrade, config, "head")
        async with session_factory(engine)() as session:
            record = await session.get(PersonRecord, "p1")
            raw = " ".join(map(str, (await session.execute(text("SELECT * FROM persons"))).one()))
    finally:
        await engine.dispose()
    settings = Settings()
    vault = PersonalDataVault(settings.field_cipher(), settings.data_key.get_secret_value())
    assert record is not None
    assert vault.full_name(record) == "李桂芳" and vault.phone(record) == "13800138000"
    assert record.full_name_index == vault.name_index("李桂芳")
    assert record.phone_masked == "138****8000"
    assert "李桂芳" not in raw and "13800138000" not in raw
