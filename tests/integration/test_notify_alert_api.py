"""Notify's alert API in process on SQLite and PostgreSQL: search by partner, person,
event type, status and time; the delivery log; acknowledgement; dead letters and
redelivery; secret rotation, with secrets stored only sealed."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update

from integration.conftest import MigratedDatabase
from integration.in_process_api import serving
from integration.notify_outbound import MIGRATIONS, Sessions, add_alert, add_partner, cipher
from wushe.notify.adapters.orm import AlertRecord
from wushe.notify.entrypoints.deliveries import router
from wushe.notify.service_layer.webhook_secrets import secrets_for_signing
from wushe.shared.auth import Role, mint_token
from wushe.shared.runtime import ServiceRuntime


class Api:
    def __init__(self, client: httpx.AsyncClient, runtime: ServiceRuntime) -> None:
        self.client = client
        self.runtime = runtime
        self.sessions: Sessions = runtime.sessions

    def as_(self, role: Role, subject: str = "someone", region: str = "420704") -> dict[str, str]:
        token = mint_token(self.runtime.settings, subject=subject, role=role, region=region)
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self, method: str, path: str, headers: dict[str, str], expect: int = 200, **kw: Any
    ) -> Any:
        response = await self.client.request(method, path, headers=headers, **kw)
        assert response.status_code == expect, response.text
        return response.json()


@pytest.fixture
async def api(migrated_database: MigratedDatabase, tmp_path: Path) -> AsyncIterator[Api]:
    sessions = await migrated_database("notify", MIGRATIONS)
    routers = (router,)
    async with serving("notify", MIGRATIONS, sessions, routers, tmp_path) as (client, runtime):
        yield Api(client, runtime)


async def set_status(api: Api, alert_id: str, status: str) -> None:
    async with api.sessions() as session, session.begin():
        await session.execute(
            update(AlertRecord).where(AlertRecord.id == alert_id).values(status=status)
        )


async def test_alerts_are_found_by_partner_person_type_status_and_time(api: Api) -> None:
    station, _ = await add_partner(api.sessions, "http://127.0.0.1:9/a")
    team, _ = await add_partner(api.sessions, "http://127.0.0.1:9/b")
    day = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    first = await add_alert(api.sessions, station, subject="p-1", created_at=day)
    second = await add_alert(api.sessions, station, subject="p-2", event_type="visit.overdue",
                             created_at=day + timedelta(days=1))  # fmt: skip
    third = await add_alert(api.sessions, team, subject="p-1", created_at=day + timedelta(days=2))
    await set_status(api, third, "dead")
    admin = api.as_(Role.ADMIN)

    async def ids(**query: str) -> list[str]:
        found = await api.call("GET", "/alerts", admin, params=query)
        return [alert["alert_id"] for alert in found]

    assert await ids() == [third, second, first]
    assert await ids(partner_id=station) == [second, first]
    assert await ids(subject="p-1") == [third, first]
    assert await ids(event_type="visit.overdue") == [second]
    assert await ids(status="dead") == [third]
    window = {"since": (day + timedelta(hours=1)).isoformat(),
              "until": (day + timedelta(days=2)).isoformat()}  # fmt: skip
    assert await ids(**window) == [second]
    refused = await api.call("GET", "/alerts", admin, 422, params={"status": "lost"})
    assert refused["detail"][0]["loc"] == ["query", "status"]
    backwards = {"since": window["until"], "until": window["since"]}
    assert (await api.call("GET", "/alerts", admin, 422, params=backwards))["detail"][0]["loc"][
        -1
    ] == "until"
    # A partner sees its own alerts only; staff elsewhere see none of this region's.
    as_team = api.as_(Role.PARTNER, subject=team)
    assert [a["alert_id"] for a in await api.call("GET", "/alerts", as_team)] == [third]
    elsewhere = api.as_(Role.STATION_STAFF, region="420703")
    assert await api.call("GET", "/alerts", elsewhere) == []
    assert [a["alert_id"] for a in await api.call("GET", "/dead-letters", admin)] == [third]
    await api.call("GET", f"/alerts/{third}", api.as_(Role.PARTNER, subject=station), 403)


async def test_a_partner_acknowledges_its_alert_once(api: Api) -> None:
    partner, _ = await add_partner(api.sessions, "http://127.0.0.1:9/a")
    other, _ = await add_partner(api.sessions, "http://127.0.0.1:9/b")
    alert_id = await add_alert(api.sessions, partner)
    path = f"/alerts/{alert_id}/acknowledgement"

    await api.call("POST", path, api.as_(Role.PARTNER, subject=other), 403)
    await api.call("POST", path, api.as_(Role.VOLUNTEER), 403)
    first = await api.call("POST", path, api.as_(Role.PARTNER, subject=partner))
    assert first["acknowledged_by"] == f"partner:{partner}"
    again = await api.call("POST", path, api.as_(Role.ADMIN, subject="director"))
    assert again == first  # the first acknowledgement stands
    shown = await api.call("GET", f"/alerts/{alert_id}", api.as_(Role.ADMIN))
    assert shown["acknowledged_at"] == first["acknowledged_at"]
    assert shown["acknowledged_by"] == first["acknowledged_by"]
    await api.call("POST", f"/alerts/{partner}/acknowledgement", api.as_(Role.ADMIN), 404)


async def test_a_dead_letter_is_redelivered_on_request_and_a_pending_alert_is_not(
    api: Api,
) -> None:
    partner, _ = await add_partner(api.sessions, "http://127.0.0.1:9/a")
    alert_id = await add_alert(api.sessions, partner)
    path = f"/alerts/{alert_id}/redelivery"
    refused = await api.call("POST", path, api.as_(Role.ADMIN), 409)
    assert "still being delivered" in refused["detail"]
    await set_status(api, alert_id, "dead")
    await api.call("POST", path, api.as_(Role.STATION_STAFF), 403)
    revived = await api.call("POST", path, api.as_(Role.PARTNER, subject=partner), 202)
    assert revived["status"] == "pending"
    assert await api.call("GET", "/dead-letters", api.as_(Role.ADMIN)) == []


async def test_a_rotated_secret_signs_beside_the_old_one_for_the_grace_period(api: Api) -> None:
    partner, old = await add_partner(api.sessions, "http://127.0.0.1:9/a")
    path = f"/partners/{partner}/webhook-secret/rotation"
    await api.call("POST", path, api.as_(Role.PARTNER, subject=partner), 403, json={})
    too_long = await api.call("POST", path, api.as_(Role.ADMIN), 422, json={"grace_seconds": -1})
    assert too_long["detail"][0]["loc"] == ["body", "grace_seconds"]
    rotated = await api.call("POST", path, api.as_(Role.ADMIN), 201, json={"grace_seconds": 3600})
    new = rotated["webhook_secret"]
    assert new.startswith("whsec_") and new != old
    now = datetime.now(UTC)
    async with api.sessions() as session:
        during = await secrets_for_signing(session, cipher(), [partner], now)
        after = await secrets_for_signing(session, cipher(), [partner], now + timedelta(hours=2))
        stored = " ".join(
            str(value)
            for row in await session.execute(text("SELECT * FROM partner_secrets"))
            for value in row
        )
    assert during[partner] == (new, old)
    assert after[partner] == (new,)
    assert old not in stored and new not in stored  # sealed, never in clear
    assert old.removeprefix("whsec_") not in stored
