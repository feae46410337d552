"""Charity's goods and needs endpoints in process on SQLite and PostgreSQL, without a
broker: who may do what, corrections and reads over HTTP, and refusals that name the field
to correct and write nothing."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import wushe.charity
from integration.conftest import MigratedDatabase
from integration.in_process_api import serving
from wushe.charity.adapters.goods_orm import GoodsMovementRecord
from wushe.charity.domain.goods_periods import china_today
from wushe.charity.entrypoints.goods import router as goods_router
from wushe.charity.entrypoints.needs import router as needs_router
from wushe.shared.auth import Role, mint_token
from wushe.shared.runtime import ServiceRuntime

MIGRATIONS = Path(wushe.charity.__file__).parent / "migrations"
STATION = "420704001"
VILLAGE = "420704001003"


class Api:
    def __init__(self, client: httpx.AsyncClient, runtime: ServiceRuntime) -> None:
        self.client = client
        self.runtime = runtime

    def as_(self, role: Role, region: str = "420704", subject: str | None = None) -> dict[str, str]:
        token = mint_token(self.runtime.settings, subject=subject or f"test-{role.value}",
                           role=role, region=region)  # fmt: skip
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self, method: str, path: str, headers: dict[str, str], body: Any = None,
        expect: int = 200,
    ) -> Any:  # fmt: skip
        response = await self.client.request(method, path, headers=headers, json=body)
        assert response.status_code == expect, response.text
        return response.json()


@pytest.fixture
async def api(migrated_database: MigratedDatabase, tmp_path: Path) -> AsyncIterator[Api]:
    sessions = await migrated_database("charity", MIGRATIONS)
    routers = (goods_router, needs_router)
    async with serving("charity", MIGRATIONS, sessions, routers, tmp_path) as (client, runtime):
        yield Api(client, runtime)


async def test_goods_corrections_movements_and_figures_over_http(api: Api) -> None:
    staff, auditor = api.as_(Role.STATION_STAFF), api.as_(Role.AUDITOR)
    receipt = {"station_region": STATION, "category": "medicine", "description": "降压药",
               "unit": "盒", "quantity": 20, "total_value_fen": 40_000,
               "donor_name": "某药店"}  # fmt: skip
    received = await api.call("POST", "/goods/receipts", staff, receipt, expect=201)
    stock_id = received["stock"]["stock_id"]
    assert received["donor_name"] == "某药店" and received["stock"]["category_name"] == "药品"
    await api.call("POST", "/goods/receipts", auditor, receipt, expect=403)

    person = str(uuid.uuid4())
    given = await api.call("POST", "/goods/distributions", staff, {
        "stock_id": stock_id, "quantity": 5, "person_id": person, "recipient_region": VILLAGE,
    }, expect=201)  # fmt: skip
    reversal = await api.call(
        "POST", f"/goods/movements/{given['movement_id']}/reversal", staff,
        {"reason": "应发给另一位老人"}, expect=201,
    )  # fmt: skip
    assert reversal["reverses_movement_id"] == given["movement_id"]
    assert reversal["quantity_change"] == 5 and reversal["stock"]["quantity"] == 20
    again = await api.call("POST", f"/goods/movements/{given['movement_id']}/reversal", staff,
                           {"reason": "再冲一次"}, expect=409)  # fmt: skip
    assert again["detail"]["field"] == "movement_id"

    history = await api.call("GET", f"/goods/movements?person_id={person}", auditor)
    assert [m["kind"] for m in history] == ["distributed", "distributed"]
    assert history[1]["reversed_by_movement_id"] == reversal["movement_id"]
    assert all(m["reason"] is None for m in history), "reasons are for station staff"
    listed = await api.call("GET", f"/goods/movements?stock_id={stock_id}", staff)
    assert listed[0]["reason"] == "应发给另一位老人" and len(listed) == 3

    month = china_today().strftime("%Y-%m")
    report = await api.call("GET", f"/goods/figures?month={month}&by=district", auditor)
    assert report["rows"][0]["region_code"] == "420704"
    assert report["total"]["receipts"] == 1 and report["total"]["distributions"] == 0
    assert report["total"]["received_value_fen"] == 40_000
    assert report["total"]["items"][0]["category_name"] == "药品"
    bad_period = await api.call("GET", "/goods/figures?start=2026-11-05&end=2026-11-01", staff,
                                expect=422)  # fmt: skip
    assert bad_period["detail"]["field"] == "end"
    elsewhere = await api.call("GET", "/goods/stock?region=420703", staff, expect=403)
    assert "region" in elsewhere["detail"]


async def test_goods_refusals_name_the_field_and_write_nothing(api: Api) -> None:
    staff = api.as_(Role.STATION_STAFF)
    both = await api.call("POST", "/goods/receipts", staff, {
        "station_region": STATION, "category": "food", "description": "面粉", "unit": "袋",
        "quantity": 2, "unit_value_fen": 100, "total_value_fen": 200,
    }, expect=422)  # fmt: skip
    assert both["detail"]["field"] == "unit_value_fen"
    fractional = await api.call("POST", "/goods/receipts", staff, {
        "station_region": STATION, "category": "food", "description": "面粉", "unit": "袋",
        "quantity": 1.5, "unit_value_fen": 100,
    }, expect=422)  # fmt: skip
    assert any("quantity" in error["loc"] for error in fractional["detail"])
    unknown = await api.call("POST", "/goods/receipts", staff, {
        "station_region": STATION, "category": "toys", "description": "玩具", "unit": "个",
        "quantity": 1, "unit_value_fen": 100,
    }, expect=422)  # fmt: skip
    assert any("category" in error["loc"] for error in unknown["detail"])
    outside = await api.call("POST", "/goods/receipts", staff, {
        "station_region": "420703", "category": "food", "description": "面粉", "unit": "袋",
        "quantity": 1, "unit_value_fen": 100,
    }, expect=403)  # fmt: skip
    assert outside["detail"]["field"] == "station_region"
    async with api.runtime.sessions() as session:
        written = await session.scalar(select(func.count()).select_from(GoodsMovementRecord))
    assert written == 0


async def test_needs_lists_overdue_offers_and_figures_over_http(api: Api) -> None:
    staff = api.as_(Role.STATION_STAFF)
    partner = api.as_(Role.PARTNER, subject="org-care")
    offered = await api.call("POST", "/offers", partner, {
        "kinds": ["daily_care", "daily_care", "volunteers"], "regions": ["420704"],
        "capacity": 1,
    }, expect=201)  # fmt: skip
    assert offered["kinds"] == ["daily_care", "volunteers"]
    assert offered["kind_names"] == ["生活照料", "志愿服务"]
    await api.call("POST", "/offers", staff, {"kinds": ["goods"], "regions": ["420704"],
                                              "capacity": 1}, expect=403)  # fmt: skip
    outside = await api.call("POST", "/offers", partner, {
        "kinds": ["goods"], "regions": ["420704", "110101"], "capacity": 1,
    }, expect=403)  # fmt: skip
    assert outside["detail"]["field"] == "regions.1"

    today = china_today()
    body = {"kind": "daily_care", "summary": "助浴", "region_code": VILLAGE,
            "deadline": today.isoformat()}  # fmt: skip
    first = await api.call("POST", "/needs", staff, body, expect=201)
    second = await api.call("POST", "/needs", staff, body, expect=201)
    await api.call("POST", "/needs", partner, body, expect=403)
    await api.call("POST", f"/needs/{first['need_id']}/take", partner)
    full = await api.call("POST", f"/needs/{second['need_id']}/take", partner, expect=409)
    assert full["detail"]["field"] == "capacity"
    mine = await api.call("GET", "/needs?taken_by_me=true", partner)
    assert [n["need_id"] for n in mine] == [first["need_id"]]
    posted = await api.call("GET", "/needs?status=posted", staff)
    assert [n["need_id"] for n in posted] == [second["need_id"]]
    assert posted[0]["overdue"] is False and posted[0]["status_name"] == "待接单"
    offers = await api.call("GET", "/offers", staff)
    assert [(o["partner_id"], o["capacity_left"]) for o in offers] == [("org-care", 0)]

    missing = await api.call("GET", f"/needs/{uuid.uuid4()}", staff, expect=404)
    assert missing["detail"]["field"] == "need_id"
    far = api.as_(Role.STATION_STAFF, region="420703")
    await api.call("GET", f"/needs/{first['need_id']}", far, expect=404)
    no_reason = await api.call("POST", f"/needs/{second['need_id']}/cancellation", staff, {},
                               expect=422)  # fmt: skip
    assert any("reason" in error["loc"] for error in no_reason["detail"])
    cancelled = await api.call("POST", f"/needs/{second['need_id']}/cancellation", staff,
                               {"reason": "家属已安排"})  # fmt: skip
    assert cancelled["status"] == "cancelled" and cancelled["steps"][-1]["note"] == "家属已安排"

    report = await api.call(
        "GET", f"/needs/figures?start={today - timedelta(days=1)}&end={today + timedelta(1)}",
        staff,
    )  # fmt: skip
    assert report["total"]["posted"] == 2 and report["total"]["taken"] == 1
    assert report["total"]["cancelled"] == 1 and report["total"]["organisations_engaged"] == 1
    both = await api.call("GET", "/needs/figures?month=2026-11&start=2026-11-01", staff,
                          expect=422)  # fmt: skip
    assert both["detail"]["field"] == "month"


async def test_a_withdrawn_offer_is_no_longer_suggested_nor_taken_against(api: Api) -> None:
    staff = api.as_(Role.STATION_STAFF)
    partner = api.as_(Role.PARTNER, subject="org-food")
    offered = await api.call("POST", "/offers", partner, {
        "kinds": ["goods"], "regions": ["420704001"], "capacity": 3,
    }, expect=201)  # fmt: skip
    need = await api.call("POST", "/needs", staff, {
        "kind": "goods", "summary": "过冬物资", "region_code": VILLAGE,
        "deadline": china_today().isoformat(),
    }, expect=201)  # fmt: skip
    suggested = await api.call("GET", f"/needs/{need['need_id']}/suggestions", staff)
    assert [s["offer_id"] for s in suggested] == [offered["offer_id"]]

    other = api.as_(Role.PARTNER, subject="org-other")
    await api.call("POST", f"/offers/{offered['offer_id']}/withdrawal", other, expect=404)
    withdrawn = await api.call("POST", f"/offers/{offered['offer_id']}/withdrawal", partner)
    assert withdrawn["withdrawn_at"] is not None
    again = await api.call("POST", f"/offers/{offered['offer_id']}/withdrawal", partner,
                           expect=409)  # fmt: skip
    assert again["detail"]["field"] == "offer_id"
    assert await api.call("GET", f"/needs/{need['need_id']}/suggestions", staff) == []
    refused = await api.call("POST", f"/needs/{need['need_id']}/take", partner, expect=409)
    assert refused["detail"]["field"] == "kind"
    assert await api.call("GET", "/offers", staff) == []
    assert len(await api.call("GET", "/offers", partner)) == 1
