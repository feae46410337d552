"""Charity's money endpoints in process on SQLite and PostgreSQL, without a broker:
refusals name the field to correct and write nothing, the approver is not the requester,
campaigns count their donors and regions count their campaigns, donors stay sealed."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from integration.charity_books import on_ledger
from integration.conftest import MigratedDatabase
from integration.in_process_api import serving
from wushe.charity.adapters.accounts_orm import JournalEntryRecord
from wushe.charity.bootstrap import MIGRATIONS
from wushe.charity.domain.funds import CHINA
from wushe.charity.entrypoints.campaigns import router as campaigns_router
from wushe.charity.entrypoints.disbursements import router as disbursements_router
from wushe.charity.entrypoints.donations import router as donations_router
from wushe.charity.entrypoints.donors import router as donors_router
from wushe.charity.entrypoints.http import router as funds_router
from wushe.charity.entrypoints.trails import router as trails_router
from wushe.shared.auth import Role, mint_token
from wushe.shared.runtime import ServiceRuntime


class Api:
    def __init__(self, client: httpx.AsyncClient, runtime: ServiceRuntime) -> None:
        self.client = client
        self.runtime = runtime

    def as_(self, role: Role, subject: str | None = None, region: str = "420704") -> dict[str, str]:
        token = mint_token(self.runtime.settings, subject=subject or f"test-{role.value}",
                           role=role, region=region)  # fmt: skip
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self, method: str, path: str, headers: dict[str, str], body: Any = None, expect: int = 200
    ) -> Any:
        response = await self.client.request(method, path, headers=headers, json=body)
        assert response.status_code == expect, response.text
        return response.json()

    async def entries(self) -> int:
        async with self.runtime.sessions() as session:
            return int(
                await session.scalar(select(func.count()).select_from(JournalEntryRecord)) or 0
            )


@pytest.fixture
async def api(migrated_database: MigratedDatabase, tmp_path: Path) -> AsyncIterator[Api]:
    sessions = await migrated_database("charity", MIGRATIONS)
    routers = (
        funds_router,
        donations_router,
        donors_router,
        disbursements_router,
        campaigns_router,
        trails_router,
    )
    async with serving("charity", MIGRATIONS, sessions, routers, tmp_path) as (client, runtime):
        yield Api(client, runtime)


def detail_field(answer: Any) -> Any:
    detail = answer["detail"]
    return detail["field"] if isinstance(detail, dict) else detail[0]["loc"][-1]


async def test_refusals_name_the_field_and_write_nothing(api: Api) -> None:
    clerk, director = api.as_(Role.STATION_STAFF, "clerk-1"), api.as_(Role.ADMIN, "director-2")
    opening = {"name": "社区慈善基金", "code": "EC-CF", "region_code": "420704"}
    fund = await api.call("POST", "/funds", director, opening, expect=201)
    again = await api.call("POST", "/funds", director, {**opening, "name": "x"}, expect=409)
    assert detail_field(again) == "code"
    donations = f"/funds/{fund['fund_id']}/donations"
    bad_group = {"amount_fen": 100, "channel": "cash",
                 "restriction": {"kind": "group", "target": "nobody"}}  # fmt: skip
    assert detail_field(await api.call("POST", donations, clerk, bad_group, expect=422)) == "target"
    fractional = {"amount_fen": 1.5, "channel": "cash"}
    assert (
        detail_field(await api.call("POST", donations, clerk, fractional, expect=422))
        == "amount_fen"
    )
    named = {"amount_fen": 1_000, "channel": "cash", "donor_name": "李四"}
    given = await api.call("POST", donations, clerk, named, expect=201)
    assert given["receipt_number"] == f"EC-CF-{given['received_at'][:4]}-000001"
    entries = await api.entries()

    disbursements = f"/funds/{fund['fund_id']}/disbursements"
    stranger = {"amount_fen": 100, "purpose": "助餐", "person_id": str(uuid.uuid4())}
    refused = await api.call("POST", disbursements, clerk, stranger, expect=422)
    assert detail_field(refused) == "person_id" and "台账" in refused["detail"]["message"]
    both = {"amount_fen": 100, "purpose": "助餐", "person_id": str(uuid.uuid4()), "project_id": "p"}
    await api.call("POST", disbursements, clerk, both, expect=422)

    project = {"amount_fen": 1_200, "purpose": "修缮", "project_id": "roof"}
    requested = await api.call("POST", disbursements, clerk, project, expect=201)
    approve = f"/disbursements/{requested['disbursement_id']}/approve"
    own = await api.call("POST", approve, clerk, expect=403)
    assert detail_field(own) == "approver" and "审批人不能是申请人" in own["detail"]["message"]
    short = await api.call("POST", approve, director, expect=409)
    assert detail_field(short) == "amount_fen"
    assert await api.entries() == entries

    await api.call("PUT", f"/funds/{fund['fund_id']}/balance-low-threshold", director,
                   {"balance_low_threshold_fen": 500})  # fmt: skip
    smaller = await api.call(
        "POST", disbursements, clerk, {**project, "amount_fen": 600}, expect=201
    )
    paid = await api.call("POST", f"/disbursements/{smaller['disbursement_id']}/approve", director)
    assert paid["status"] == "approved" and paid["decided_by"] == "director-2"
    spent = await api.call("POST", f"/donations/{given['donation_id']}/refund", director,
                           {"reason": "退回"}, expect=409)  # fmt: skip
    assert detail_field(spent) == "donation_id"
    sources = await api.call(
        "GET", f"/disbursements/{smaller['disbursement_id']}/sources", director
    )
    assert [(s["donation_id"], s["amount_fen"]) for s in sources] == [(given["donation_id"], 600)]
    fund_now = await api.call("GET", f"/funds/{fund['fund_id']}", director)
    assert fund_now["balance_fen"] == 400 and fund_now["donations"] == 1
    listed = await api.call("GET", donations, api.as_(Role.AUDITOR))
    assert [(d["receipt_number"][-6:], d["unallocated_fen"]) for d in listed] == [("000001", 400)]


async def test_campaigns_count_donors_and_regions_count_campaigns(api: Api) -> None:
    director = api.as_(Role.ADMIN, "director-2", region="420700")
    today = datetime.now(UTC).astimezone(CHINA).date()
    campaign = {"name": "幸福家园·古城村", "code": "XF-001", "region_code": "420704001",
                "kind": "campaign", "goal_fen": 1_000_000,
                "starts_on": str(today - timedelta(days=1)),
                "ends_on": str(today + timedelta(days=1))}  # fmt: skip
    no_goal = {**campaign, "goal_fen": None, "code": "XF-000"}
    no_goal = await api.call("POST", "/funds", director, no_goal, expect=422)
    assert detail_field(no_goal) == "goal_fen"
    first = await api.call("POST", "/funds", director, campaign, expect=201)
    assert first["status"] == "registered"
    donate = f"/funds/{first['fund_id']}/donations"
    early = await api.call(
        "POST", donate, director, {"amount_fen": 1, "channel": "cash"}, expect=409
    )
    assert detail_field(early) == "fund_id"
    await api.call("POST", f"/funds/{first['fund_id']}/launch", director)
    company = {"name": "某公司", "kind": "organisation", "contact": "0711-000"}
    donor = await api.call("POST", "/donors", director, company, expect=201)
    anonymous = {"amount_fen": 50, "anonymous": True}
    by_donor = {"donor_id": donor["donor_id"]}
    for body in ({"amount_fen": 300_000, **by_donor}, {"amount_fen": 200_000, **by_donor},
                 anonymous, anonymous):  # fmt: skip
        gift = await api.call("POST", donate, director, {"channel": "online_campaign", **body},
                              expect=201)  # fmt: skip
    for code, region in (("XF-002", "420704001"), ("XF-003", "420704002"), ("XF-004", "420703100")):
        another = {**campaign, "code": code, "region_code": region}
        opened = await api.call("POST", "/funds", director, another, expect=201)
        if code == "XF-003":
            await api.call("POST", f"/funds/{opened['fund_id']}/launch", director)
    await api.call("POST", f"/funds/{first['fund_id']}/close", director)
    reopen = await api.call("POST", f"/funds/{first['fund_id']}/launch", director, expect=409)
    assert detail_field(reopen) == "status"
    late = await api.call(
        "POST", donate, director, {"amount_fen": 1, "channel": "cash"}, expect=409
    )
    assert detail_field(late) == "fund_id"
    # A correction after the close fixes what was received while the campaign ran.
    await api.call("POST", f"/donations/{gift['donation_id']}/correction", director,
                   {"amount_fen": 60, "channel": "online_campaign", "anonymous": True},
                   expect=201)  # fmt: skip

    progress = await api.call("GET", f"/funds/{first['fund_id']}/progress", director)
    figures = (progress["raised_fen"], progress["goal_percent"], progress["donors"])
    assert figures == (500_110, 50.0, 3)
    assert progress["status"] == "closed" and progress["donations"] == 4
    summary = await api.call("GET", "/campaigns/summary?digits=6", director)
    assert summary == [
        {"region_code": "420703", "registered": 1, "launched": 0, "closed": 0, "raised_fen": 0},
        {"region_code": "420704", "registered": 3, "launched": 2, "closed": 1,
         "raised_fen": 500_110},
    ]  # fmt: skip
    by_township = await api.call("GET", "/campaigns/summary?digits=9", director)
    assert [(r["region_code"], r["registered"]) for r in by_township] == [
        ("420703100", 1), ("420704001", 2), ("420704002", 1),
    ]  # fmt: skip
    listed = await api.call("GET", "/campaigns", api.as_(Role.AUDITOR, region="420703"))
    assert [c["region_code"] for c in listed] == ["420703100"]

    read = await api.call("GET", f"/donors/{donor['donor_id']}", director)
    assert read["name"] == "某公司" and read["contact"] == "0711-000"
    await api.call("GET", f"/donors/{donor['donor_id']}", api.as_(Role.AUDITOR), expect=403)
    elsewhere = api.as_(Role.ADMIN, region="420703")
    await api.call("GET", f"/donors/{donor['donor_id']}", elsewhere, expect=403)


async def test_restricted_money_over_http_and_the_person_trail(api: Api) -> None:
    clerk, director = api.as_(Role.SOCIAL_WORKER, "worker-1"), api.as_(Role.STATION_STAFF, "s-2")
    person = await on_ledger(api.runtime.sessions, ["child_orphan"])
    opening = {"name": "护童基金", "code": "HT-1", "region_code": "420704"}
    fund = await api.call("POST", "/funds", director, opening, expect=201)
    earmark = {"kind": "person", "target": person}
    given = await api.call("POST", f"/funds/{fund['fund_id']}/donations", director,
                           {"amount_fen": 900, "channel": "cash", "restriction": earmark},
                           expect=201)  # fmt: skip
    disbursements = f"/funds/{fund['fund_id']}/disbursements"
    wrong = await api.call("POST", disbursements, clerk, {"amount_fen": 100, "purpose": "x",
                           "project_id": "roof", "restriction": earmark}, expect=422)  # fmt: skip
    assert detail_field(wrong) == "restriction"
    right = await api.call("POST", disbursements, clerk, {"amount_fen": 900, "purpose": "学费",
                           "person_id": person, "restriction": earmark}, expect=201)  # fmt: skip
    await api.call("POST", f"/disbursements/{right['disbursement_id']}/approve", director)
    trail = await api.call("GET", f"/persons/{person}/donation-sources", director)
    assert [(t["donation_id"], t["amount_fen"]) for t in trail] == [(given["donation_id"], 900)]
    assert await api.call("GET", f"/persons/{person}/donation-sources",
                          api.as_(Role.ADMIN, region="420703")) == []  # fmt: skip
    accounts = await api.call("GET", f"/funds/{fund['fund_id']}/accounts", director)
    assert {a["code"]: a["balance_fen"] for a in accounts}[f"holding:person:{person}"] == 0


async def test_a_campaign_raises_money_only_within_its_filed_period(api: Api) -> None:
    director = api.as_(Role.ADMIN, "director-2", region="420700")
    today = datetime.now(UTC).astimezone(CHINA).date()
    campaign = {"name": "重阳敬老", "code": "CY-001", "region_code": "420704001",
                "kind": "campaign", "goal_fen": 500_000}  # fmt: skip
    future = {**campaign, "code": "CY-002", "starts_on": str(today + timedelta(days=2)),
              "ends_on": str(today + timedelta(days=9))}  # fmt: skip
    future = await api.call("POST", "/funds", director, future, expect=201)
    await api.call("POST", f"/funds/{future['fund_id']}/launch", director)
    too_early = await api.call("POST", f"/funds/{future['fund_id']}/donations", director,
                               {"amount_fen": 100, "channel": "cash"}, expect=409)  # fmt: skip
    assert detail_field(too_early) == "fund_id"
    assert f"募捐期限自{today + timedelta(days=2)}起" in str(too_early)
    past = {**campaign, "code": "CY-003", "starts_on": str(today - timedelta(days=9)),
            "ends_on": str(today - timedelta(days=2))}  # fmt: skip
    past = await api.call("POST", "/funds", director, past, expect=201)
    never = await api.call("POST", f"/funds/{past['fund_id']}/launch", director, expect=409)
    assert detail_field(never) == "ends_on"
    assert await api.entries() == 0, "nothing written for a refusal"


async def test_a_requester_withdraws_a_request_over_http(api: Api) -> None:
    clerk, director = api.as_(Role.SOCIAL_WORKER, "worker-1"), api.as_(Role.STATION_STAFF, "s-2")
    person = await on_ledger(api.runtime.sessions, ["elderly_living_alone"])
    opening = {"name": "敬老基金", "code": "JL-1", "region_code": "420704"}
    fund = await api.call("POST", "/funds", director, opening, expect=201)
    await api.call("POST", f"/funds/{fund['fund_id']}/donations", director,
                   {"amount_fen": 900, "channel": "cash"}, expect=201)  # fmt: skip
    asked = await api.call("POST", f"/funds/{fund['fund_id']}/disbursements", clerk,
                           {"amount_fen": 500, "purpose": "助餐", "person_id": person},
                           expect=201)  # fmt: skip
    withdrawal = f"/disbursements/{asked['disbursement_id']}/withdrawal"
    blank = await api.call("POST", withdrawal, clerk, {"reason": " "}, expect=422)
    assert detail_field(blank) == "reason"
    others = await api.call("POST", withdrawal, director, {"reason": "不需要"}, expect=403)
    assert detail_field(others) == "requested_by"
    auditor = await api.call("POST", withdrawal, api.as_(Role.AUDITOR), {"reason": "x"}, expect=403)
    assert "role" in str(auditor).lower()
    withdrawn = await api.call("POST", withdrawal, clerk, {"reason": "金额填错"})
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawal_reason"] == "金额填错"
    assert withdrawn["decided_by"] == "worker-1" and withdrawn["rejection_reason"] is None
    listed = await api.call("GET", f"/funds/{fund['fund_id']}/disbursements", director)
    assert [d["status"] for d in listed] == ["withdrawn"]
    decided = await api.call("POST", f"/disbursements/{asked['disbursement_id']}/approve",
                             director, expect=409)  # fmt: skip
    assert detail_field(decided) == "status"
    accounts = await api.call("GET", f"/funds/{fund['fund_id']}/accounts", director)
    assert {a["code"]: a["balance_fen"] for a in accounts}["holding"] == 900
