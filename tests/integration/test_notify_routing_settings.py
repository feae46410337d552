"""Routing keeps notify's settings between polls, on SQLite and PostgreSQL: every change to
a settings table raises their version, by trigger, whoever makes it; routing reads them
again when the version has moved, and only then."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from integration.conftest import MigratedDatabase, Sessions
from integration.notify_routing_support import LEDGER, MIGRATIONS, VILLAGE, Notify
from wushe.notify.adapters.orm import SubscriptionRecord, metadata
from wushe.notify.adapters.settings_version import SETTINGS_TABLES, routing_settings_version
from wushe.shared.events.ledger import LedgerFileOpened

COUNTY = VILLAGE[:6]


def rows_of_each_table(partner_id: str, subscription_id: str) -> dict[str, dict[str, Any]]:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    return {
        "partners": {
            "id": partner_id, "name": "社工站", "kind": "station", "regions": [COUNTY],
            "webhook_url": "http://127.0.0.1:9/hooks", "created_at": now,
        },
        "partner_profiles": {"partner_id": partner_id, "email": "station@example.org"},
        "subscriptions": {
            "id": subscription_id, "partner_id": partner_id,
            "event_type": "ledger.file_opened", "region_code": COUNTY,
        },
        "subscription_groups": {"subscription_id": subscription_id, "groups": ["disabled"]},
        "sharing_agreements": {
            "id": str(uuid.uuid4()), "partner_id": partner_id, "reference": "鄂民〔2026〕12号",
            "purpose": "data_sharing_with_partners", "event_types": ["ledger.file_opened"],
            "fields": ["groups"], "valid_from": date(2026, 1, 1), "created_at": now,
        },
        "rule_settings": {"rule": "crisis", "region_code": COUNTY, "enabled": False},
        "region_quiet_hours": {
            "region_code": COUNTY, "quiet_from": "22:00", "quiet_until": "07:00",
        },
    }  # fmt: skip


async def version(sessions: Sessions) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(routing_settings_version.c.version)) or 0)


async def test_every_change_to_a_settings_table_raises_the_version(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("notify", MIGRATIONS)
    rows = rows_of_each_table(str(uuid.uuid4()), str(uuid.uuid4()))
    assert set(rows) == set(SETTINGS_TABLES)
    seen = [await version(sessions)]
    for name in SETTINGS_TABLES:
        table = metadata.tables[name]
        async with sessions() as session, session.begin():
            await session.execute(insert(table).values(rows[name]))
        seen.append(await version(sessions))
        key = next(iter(table.primary_key.columns))
        async with sessions() as session, session.begin():
            await session.execute(
                update(table).where(key == rows[name][key.name]).values({key.name: key})
            )
        seen.append(await version(sessions))
    for name in reversed(SETTINGS_TABLES):
        table = metadata.tables[name]
        key = next(iter(table.primary_key.columns))
        async with sessions() as session, session.begin():
            await session.execute(delete(table).where(key == rows[name][key.name]))
        seen.append(await version(sessions))
    rises = [later - earlier for earlier, later in pairwise(seen)]
    assert all(rise >= 1 for rise in rises), list(zip(rises, SETTINGS_TABLES * 3, strict=False))


@contextmanager
def settings_reads(sessions: Sessions) -> Iterator[list[str]]:
    """The statements that read the partners table, as the database receives them."""
    engine: AsyncEngine = sessions.kw["bind"]
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM partners" in statement:
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)


async def test_routing_reads_the_settings_again_when_and_only_when_they_change(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("notify", MIGRATIONS)
    notify = Notify(sessions)
    station = await notify.partner("station", regions=[COUNTY])
    await notify.subscription(station, "ledger.file_opened", COUNTY)

    async def file_opened() -> None:
        person = uuid.uuid4()
        payload = LedgerFileOpened(file_id=uuid.uuid4(), person_id=person, region_code=VILLAGE)
        await notify.route(payload, subject=str(person), producer=LEDGER)

    with settings_reads(sessions) as reads:
        await file_opened()
        assert len(reads) == 1
        await file_opened()
        await file_opened()
        assert len(reads) == 1, "settings unchanged: kept from the first event"
    assert len(await notify.alerts(station)) == 3

    async with sessions() as session, session.begin():
        ended = delete(SubscriptionRecord).where(SubscriptionRecord.partner_id == station)
        await session.execute(ended)
    with settings_reads(sessions) as reads:
        await file_opened()
        assert len(reads) == 1, "a subscription ended: read again"
    assert len(await notify.alerts(station)) == 3, "the ended subscription alerts no more"

    volunteers = await notify.partner("volunteer_team", regions=[COUNTY])
    await notify.subscription(volunteers, "ledger.file_opened", COUNTY)
    await file_opened()
    assert len(await notify.alerts(volunteers)) == 1, "a new partner is alerted at once"
