"""Upgrading a notify database whose partners' webhook secrets were kept in clear seals
them: the clear column is gone and every partner still signs with its secret."""

import asyncio
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from integration.notify_outbound import MIGRATIONS, cipher
from wushe.notify.adapters.webhook import new_secret
from wushe.notify.service_layer.webhook_secrets import secrets_for_signing
from wushe.shared.db import create_engine, session_factory
from wushe.shared.migrations import alembic_config


async def test_clear_secrets_are_sealed_by_the_upgrade(empty_database: str) -> None:
    url = empty_database
    config = alembic_config(MIGRATIONS, url)
    await asyncio.to_thread(command.upgrade, config, "notify_0001")
    secret = new_secret()
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO partners (id, name, kind, regions, webhook_url, webhook_secret,"
                    " created_at) VALUES ('p1', '未保站', 'child_protection_station',"
                    " '[\"420704\"]', 'http://127.0.0.1:9/h', :secret, :now)"
                ),
                {"secret": secret, "now": datetime.now(UTC)},
            )
        await asyncio.to_thread(command.upgrade, config, "heads")
        async with session_factory(engine)() as session:
            signing = await secrets_for_signing(session, cipher(), ["p1"], datetime.now(UTC))
            rows = [
                row
                for table in ("partners", "partner_secrets")
                for row in (await session.execute(text(f"SELECT * FROM {table}"))).all()
            ]
            raw = " ".join(str(value) for row in rows for value in row)
    finally:
        await engine.dispose()
    assert signing == {"p1": (secret,)}
    assert secret.removeprefix("whsec_") not in raw
