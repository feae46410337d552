"""`wushe ledger rebuild` replays the topics into a fresh database and arrives at the rows
the running ledger holds: every table, compared row by row.

Intake and the ledger run on topics of their own here, so the ledger has seen exactly
the events this test caused and the row counts below are known. The ledger's own
commands (visits, services, activities, the overdue sweep, cases, referrals) are replayed
from its topic."""

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from support.infrastructure import drop_databases, recreate_databases
from support.running_stack import REGION, RunningStack, count_rows, wait_for
from wushe.ledger.service_layer.projection_comparison import (
    TableComparison,
    compare_databases,
    ledger_tables,
)
from wushe.shared.auth import Role, mint_token
from wushe.shared.db import create_engine

VILLAGE = "420704001003"  # 凤凰街道古城社区
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@pytest.fixture
def fresh_database(intake_and_ledger: RunningStack) -> Iterator[str]:
    """An empty database beside the ledger's, on the same kind of engine."""
    if intake_and_ledger.backend == "sqlite":
        yield f"sqlite+aiosqlite:///{intake_and_ledger.data_dir / f'rebuilt-{uuid.uuid4().hex}.db'}"
        return
    name = f"wushe_rebuilt_{uuid.uuid4().hex[:8]}"
    yield asyncio.run(recreate_databases([name]))[name]
    asyncio.run(drop_databases([name]))


def register(stack: RunningStack, name: str, groups: list[str], **fields: Any) -> str:
    body = {"full_name": name, "residence_region": VILLAGE, "household_region": "420704",
            "groups": groups, "birth_date": "1944-03-02", "sex": "female"} | fields  # fmt: skip
    person_id: str = stack.post("intake", "/persons", body)["person_id"]
    return person_id


def act(stack: RunningStack, path: str, body: dict[str, Any], expected: int = 200) -> Any:
    response = stack.request("POST", "intake", path, json=body)
    assert response.status_code == expected, response.text
    return response.json()


def last_on_timeline(stack: RunningStack, person_id: str, event_type: str) -> None:
    def arrived() -> bool:
        timeline = stack.found("ledger", f"/files/{person_id}/timeline?limit=1000")
        items = timeline["items"] if timeline else []
        return bool(items) and items[-1]["event_type"] == event_type

    wait_for(arrived, timeout=30, what=f"{event_type} on the timeline of {person_id}")


def people_and_their_changes(stack: RunningStack) -> dict[str, str]:
    """What intake is asked to do, once the ledger has applied it; the people by role."""
    moving = register(stack, "黄桂珍", ["elderly_living_alone"])
    path = f"/persons/{moving}"
    act(stack, f"{path}/groups", {"group": "elderly_advanced_age", "reason": "年满80周岁"})
    act(stack, f"{path}/groups/elderly_living_alone/leave", {"reason": "子女同住"})
    act(stack, f"{path}/relocation",
        {"to_region": "420702", "moved_on": YESTERDAY, "reason": "随子女迁居"})  # fmt: skip

    kept, absorbed = (
        register(stack, "刘秀英", ["elderly_empty_nest"]),
        register(stack, "刘秀瑛", ["subsistence_allowance"]),
    )
    act(stack, f"/persons/{kept}/merge", {"duplicate_id": absorbed, "reason": "同一人"})

    first, second = (
        register(stack, "何玉兰", ["extreme_poverty"]),
        register(stack, "何玉岚", ["elderly_empty_nest"]),
    )
    merge = act(stack, f"/persons/{first}/merge", {"duplicate_id": second, "reason": "同一人"})
    act(stack, f"/merges/{merge['merge_id']}/undo", {"reason": "核实为两人"})

    departed = register(stack, "郑桂兰", ["elderly_living_alone"])
    act(stack, f"/persons/{departed}/death", {"died_on": YESTERDAY, "reason": "村委会报告"})

    child = register(stack, "孟小雨", ["child_left_behind"], birth_date="2014-06-01")
    consent = {"purpose": "data_sharing_with_partners",
               "recipient_kind": "child_protection_station", "given_by": "guardian",
               "guardian_name": "孟桂芳", "guardian_relation": "祖母",
               "evidence": "知情同意书 HC-2026-0501"}  # fmt: skip
    consent_id = stack.post("intake", f"/persons/{child}/consents", consent)["consent_id"]
    act(stack, f"/persons/{child}/consents/{consent_id}/revoke", {"reason": "监护人撤回"})

    people = {"moving": moving, "kept": kept, "absorbed": absorbed, "first": first,
              "second": second, "departed": departed, "child": child}  # fmt: skip
    last = {"moving": "person.relocated", "kept": "person.merged", "absorbed": "person.merged",
            "first": "person.unmerged", "second": "person.unmerged",
            "departed": "person.deceased", "child": "consent.revoked"}  # fmt: skip
    for role, person_id in people.items():
        last_on_timeline(stack, person_id, last[role])
    return people


# Per event type, the timeline entries the changes above make: a merge and its undo are on
# both files.
INTAKE_ENTRIES = {
    "person.registered": 7, "person.group_joined": 1, "person.group_left": 1,
    "person.relocated": 1, "person.merged": 4, "person.unmerged": 2, "person.deceased": 1,
    "consent.granted": 2, "consent.revoked": 1,
}  # fmt: skip


def ledger_work(stack: RunningStack, people: dict[str, str]) -> None:
    """The ledger's own commands: a visit rule, a township's station, a visit reporting a
    crisis, a service, an activity, the overdue sweep two months ahead, a case and a
    referral's whole loop."""
    today = date.today()
    rule = stack.request("PUT", "ledger", "/visit-rules/420704001/elderly_empty_nest",
                         json={"interval_days": 3})  # fmt: skip
    assert rule.status_code == 200, rule.text
    station = {"station_name": "凤凰街道社会工作服务站", "status": "operating",
               "built_on": "2025-03-01", "operating_since": "2025-06-01"}  # fmt: skip
    recorded = stack.request("PUT", "ledger", "/stations/420704001", json=station)
    assert recorded.status_code == 200, recorded.text
    worker = stack.headers(stack.token(Role.SOCIAL_WORKER, region="420704"))
    visit = {"visited_on": today.isoformat(), "visitor_kind": "social_worker",
             "services": ["home_visit", "crisis_intervention"], "findings": "独居，近日摔倒",
             "follow_up_needed": True, "crisis_kind": "medical_emergency"}  # fmt: skip
    visited = stack.request("POST", "ledger", f"/files/{people['first']}/visits", json=visit,
                            headers=worker)  # fmt: skip
    assert visited.status_code == 201, visited.text
    service = {"kind": "daily_care", "served_on": today.isoformat(), "duration_minutes": 45}
    stack.post("ledger", f"/files/{people['kept']}/services", service)
    activity = {"region_code": "420704001", "title": "重阳节敬老活动", "kind": "festival_visit",
                "held_on": today.isoformat(), "participants": 23, "volunteers": 6}  # fmt: skip
    stack.post("ledger", "/activities", activity)
    as_of = (today + timedelta(days=60)).isoformat()
    checked = stack.request("POST", "ledger", f"/visits/overdue-check?as_of={as_of}")
    assert checked.status_code == 200 and checked.json()["overdue"] >= 1, checked.text
    a_case(stack, worker, people["kept"])
    a_referral(stack, people["first"])


def a_case(stack: RunningStack, worker: dict[str, str], person_id: str) -> None:
    def on(path: str, body: dict[str, Any], expected: int = 200) -> Any:
        response = stack.request("POST", "ledger", path, json=body, headers=worker)
        assert response.status_code == expected, response.text
        return response.json()

    opening = {"person_id": person_id, "kind": "elderly_care", "risk_level": "medium",
               "note": "独居，子女在外地"}  # fmt: skip
    case = f"/cases/{on('/cases', opening, 201)['id']}"
    on(f"{case}/transitions", {"to_stage": "assessment", "note": "入户评估"})
    on(f"{case}/transitions", {"to_stage": "planning", "note": "制定计划"})
    on(f"{case}/goals", {"goals": ["每日助餐", "每周两次电话问候"]})
    on(
        f"{case}/conferences",
        {
            "held_on": date.today().isoformat(),
            "decisions": "街道协调助餐",
            "agencies": [{"kind": "street_office", "name": "凤凰街道办事处"}],
        },
    )
    on(f"{case}/risk", {"risk_level": "high", "reason": "近期跌倒"})


def a_referral(stack: RunningStack, person_id: str) -> None:
    """Consent to share with hospitals, then a referral the hospital accepts and completes."""
    consent = {"purpose": "data_sharing_with_partners", "recipient_kind": "hospital",
               "given_by": "self", "evidence": "知情同意书 ZY-2026-0078"}  # fmt: skip
    stack.post("intake", f"/persons/{person_id}/consents", consent)
    hospital = str(uuid.uuid4())
    as_hospital = stack.headers(mint_token(stack.settings, subject=hospital, role=Role.PARTNER,
                                           region=REGION))  # fmt: skip
    body = {"person_id": person_id, "partner_id": hospital, "partner_kind": "hospital",
            "urgency": "urgent", "reason": "跌倒后需骨科评估"}  # fmt: skip

    def sent() -> str | None:
        response = stack.request("POST", "ledger", "/referrals", json=body)
        if response.status_code == 409 and response.json()["detail"]["field"] == "consent":
            return None
        assert response.status_code == 201, response.text
        referral_id: str = response.json()["referral_id"]
        return referral_id

    path = f"/referrals/{wait_for(sent, timeout=30, what='the ledger to learn of the consent')}"
    for step, answer in (("acceptance", {}), ("completion", {"outcome": "已安排上门康复"})):
        response = stack.request("POST", "ledger", f"{path}/{step}", json=answer,
                                 headers=as_hospital)  # fmt: skip
        assert response.status_code == 200, response.text


def everything_published(stack: RunningStack) -> None:
    """The rebuild reads the topics: the ledger's own events must be on them."""
    ledger = stack.database_urls["ledger"]
    unpublished = "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL"
    wait_for(lambda: count_rows(ledger, unpublished) == 0, what="the ledger's outbox to drain")


def timeline_by_type(database_url: str) -> dict[str, int]:
    async def count() -> dict[str, int]:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    text("SELECT event_type, COUNT(*) FROM ledger_timeline GROUP BY event_type")
                )
                return {event_type: int(entries) for event_type, entries in rows}
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_a_rebuild_arrives_at_the_rows_the_ledger_holds(
    intake_and_ledger: RunningStack, fresh_database: str
) -> None:
    stack = intake_and_ledger
    ledger_work(stack, people_and_their_changes(stack))
    everything_published(stack)

    rebuilt = subprocess.run(
        [sys.executable, "-m", "wushe.cli.main", "ledger", "rebuild", "--into", fresh_database,
         "--compare", "--batch-size", "5"],
        env=os.environ | stack.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    printed = " ".join(rebuilt.stdout.split())
    assert "0 unreadable, 0 refused by a projector" in printed, rebuilt.stdout

    comparisons = {
        comparison.table: comparison
        for comparison in asyncio.run(
            compare_databases(stack.database_urls["ledger"], fresh_database)
        )
    }
    assert set(comparisons) == {table.name for table in ledger_tables()}
    assert {"outbox", "processed_events"}.isdisjoint(comparisons)
    differing = [describe(c) for c in comparisons.values() if c.differences]
    assert differing == [], "\n".join(differing)

    found = {table: comparisons[table].found_rows for table in comparisons}
    assert (found["ledger_files"], found["ledger_consents"]) == (7, 2)
    assert (found["ledger_visits"], found["ledger_services"], found["ledger_activities"]) == (
        1, 1, 1,
    )  # fmt: skip
    entries = timeline_by_type(fresh_database)
    assert {kind: entries.get(kind) for kind in INTAKE_ENTRIES} == INTAKE_ENTRIES
    assert (entries["visit.recorded"], entries["crisis.reported"]) == (1, 1)
    assert entries["service.recorded"] == 1 and entries["visit.overdue"] >= 1
    assert (found["ledger_cases"], found["ledger_referrals"], found["ledger_stations"]) == (1, 1, 1)
    assert found["ledger_timeline"] == sum(entries.values())


def describe(comparison: TableComparison) -> str:
    lines = [f"{comparison.table}: {comparison.changed} changed, {comparison.missing} missing, "
             f"{comparison.extra} extra"]  # fmt: skip
    for difference in comparison.examples:
        lines.append(f"  {difference.kind} {difference.key}: {difference.columns}")
        lines.append(f"    now {difference.expected}\n    rebuilt {difference.found}")
    return "\n".join(lines)
