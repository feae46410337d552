"""Visits through the running stack: a visit that finds a crisis is published as
``crisis.reported`` on ledger.file with its findings sealed, and sits on the person's
timeline; an operator's overdue check reports the missed visits of the station's list;
a region's rule changes the cadence; services and activities are counted as service-times."""

import asyncio
import json
from datetime import date, timedelta
from typing import Any

from support.running_stack import RunningStack, wait_for
from wushe.cli.topic_reader import read_topic
from wushe.ledger.service_layer.visit_plans import today_in_china
from wushe.shared.auth import Role

VILLAGE = "420704001003"  # 凤凰街道古城社区
FINDINGS = "老人独居，家中煤气未关，自述胸闷，邻居王某可联系"


def register(stack: RunningStack, groups: list[str], born: str = "1941-06-18") -> str:
    body = {"full_name": "钱桂芝", "residence_region": VILLAGE, "household_region": "420704",
            "groups": groups, "birth_date": born, "sex": "female"}  # fmt: skip
    person_id: str = stack.post("intake", "/persons", body)["person_id"]
    wait_for(lambda: stack.found("ledger", f"/files/{person_id}"), timeout=30, what="the file")
    return person_id


def ledger_events(stack: RunningStack, person_id: str, count: int) -> list[dict[str, Any]]:
    seen: list[str] = []

    def published() -> list[dict[str, Any]] | None:
        records = asyncio.run(read_topic(stack.bootstrap, stack.topic("ledger.file")))
        mine = [json.loads(r.value) for r in records if r.key == person_id.encode()]
        seen[:] = [event["type"] for event in mine]
        return mine if len(mine) >= count else None

    return wait_for(
        published, timeout=30, what=lambda: f"{count} events about {person_id}, got {seen}"
    )


def test_a_visit_with_a_crisis_is_reported_sealed_and_on_the_timeline(
    running_stack: RunningStack,
) -> None:
    person = register(running_stack, ["elderly_living_alone"])
    worker = running_stack.headers(running_stack.token(Role.SOCIAL_WORKER, region="420704"))
    visit = {"visited_on": date.today().isoformat(), "visitor_kind": "volunteer",
             "services": ["home_visit", "crisis_intervention"], "findings": FINDINGS,
             "follow_up_needed": True, "crisis_kind": "medical_emergency"}  # fmt: skip
    response = running_stack.request("POST", "ledger", f"/files/{person}/visits", json=visit,
                                     headers=worker)  # fmt: skip
    assert response.status_code == 201, response.text
    visit_id = response.json()["id"]
    # A follow-up visit. The embedded broker reports a partition's end as one past the
    # first record of its last batch, and the crisis went out in one batch with its
    # visit: a later event on the person's partition lets a reader see the whole of it.
    follow_up = {"visited_on": date.today().isoformat(), "visitor_kind": "social_worker",
                 "services": ["psychological_comfort"]}  # fmt: skip
    running_stack.request("POST", "ledger", f"/files/{person}/visits", json=follow_up,
                          headers=worker).raise_for_status()  # fmt: skip

    events = ledger_events(running_stack, person, 4)
    assert [e["type"] for e in events] == [
        "ledger.file_opened", "visit.recorded", "crisis.reported", "visit.recorded"
    ]  # fmt: skip
    recorded, crisis = events[1], events[2]
    assert crisis["payload"] == {"visit_id": visit_id, "person_id": person,
                                 "crisis_kind": "medical_emergency",
                                 "found_on": date.today().isoformat()}  # fmt: skip
    assert crisis["causation_id"] == recorded["id"] and crisis["actor"] == "test-social_worker"
    assert recorded["payload"]["findings_sealed"]
    on_the_topic = json.dumps(events, ensure_ascii=False)
    assert FINDINGS not in on_the_topic and "胸闷" not in on_the_topic

    timeline = running_stack.found("ledger", f"/files/{person}/timeline")["items"]
    # The alerts the crisis raised reach the timeline from notify, in their own time.
    assert [e["event_type"] for e in timeline if e["source"] != "notify"][-3:] == [
        "visit.recorded", "crisis.reported", "visit.recorded"
    ]  # fmt: skip
    assert "胸闷" not in json.dumps(timeline, ensure_ascii=False)

    seen = running_stack.request("GET", "ledger", f"/files/{person}/visits", headers=worker).json()
    assert [(v["findings"], v["crisis_kind"]) for v in seen] == [
        (None, None), (FINDINGS, "medical_emergency")
    ]  # fmt: skip
    assert seen[1]["visit_id"] == visit_id and seen[1]["visitor"] == "test-social_worker"
    auditor = running_stack.headers(running_stack.token(Role.AUDITOR, region="420704"))
    audited = running_stack.request("GET", "ledger", f"/files/{person}/visits", headers=auditor)
    assert audited.status_code == 200 and audited.json()[1]["findings"] is None
    elsewhere = running_stack.headers(running_stack.token(Role.SOCIAL_WORKER, region="420702"))
    refused = running_stack.request("POST", "ledger", f"/files/{person}/visits", json=visit,
                                    headers=elsewhere)  # fmt: skip
    assert refused.status_code == 403


def test_overdue_check_rules_and_service_times(running_stack: RunningStack) -> None:
    weekly = register(running_stack, ["elderly_living_alone"])
    monthly = register(running_stack, ["child_left_behind"], born="2015-04-02")
    today = today_in_china()  # the stations' calendar, which the due dates follow

    def due(before: date) -> dict[str, dict[str, Any]]:
        path = f"/visits/due?region=420704001&before={before.isoformat()}&limit=1000"
        return {row["person_id"]: row for row in running_stack.get("ledger", path).json()}

    assert (
        due(today + timedelta(days=7))[weekly]["next_due_on"]
        == (today + timedelta(days=7)).isoformat()
    )
    assert monthly not in due(today + timedelta(days=7))

    rule = running_stack.request("PUT", "ledger", "/visit-rules/420704001/child_left_behind",
                                 json={"interval_days": 5})  # fmt: skip
    assert rule.status_code == 200, rule.text
    assert (
        due(today + timedelta(days=5))[monthly]["next_due_on"]
        == (today + timedelta(days=5)).isoformat()
    )
    bad = running_stack.request("PUT", "ledger", "/visit-rules/420704001/no_such_group",
                                json={"interval_days": 5})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "group"

    as_of = (today + timedelta(days=8)).isoformat()
    staff = running_stack.headers(running_stack.token(Role.STATION_STAFF, region="420704"))
    forbidden = running_stack.request(
        "POST", "ledger", f"/visits/overdue-check?as_of={as_of}", headers=staff
    )
    assert forbidden.status_code == 403
    checked = running_stack.request("POST", "ledger", f"/visits/overdue-check?as_of={as_of}")
    assert checked.status_code == 200 and checked.json()["overdue"] >= 2
    again = running_stack.request("POST", "ledger", f"/visits/overdue-check?as_of={as_of}")
    assert again.json()["overdue"] == 0
    events = ledger_events(running_stack, weekly, 2)
    assert [e["type"] for e in events] == ["ledger.file_opened", "visit.overdue"]
    assert events[1]["payload"]["due_on"] == (today + timedelta(days=7)).isoformat()
    assert due(today + timedelta(days=8))[weekly]["escalated_to"] == "volunteer_team"

    period = f"start={today.isoformat()}&end={today.isoformat()}"
    figures_path = f"/services/figures?region=420704001&{period}"
    before = running_stack.get("ledger", figures_path).json()
    service = {"kind": "daily_care", "served_on": today.isoformat(), "duration_minutes": 45}
    running_stack.post("ledger", f"/files/{weekly}/services", service)
    activity = {"region_code": "420704001", "title": "重阳节敬老活动", "kind": "festival_visit",
                "held_on": today.isoformat(), "participants": 23, "volunteers": 6}  # fmt: skip
    running_stack.post("ledger", "/activities", activity)
    visit = {"visited_on": today.isoformat(), "visitor_kind": "social_worker",
             "services": ["psychological_comfort"]}  # fmt: skip
    running_stack.post("ledger", f"/files/{monthly}/visits", visit)
    after = running_stack.get("ledger", figures_path).json()
    added = {
        key: after[key] - before[key] for key in ("visits_done", "activities", "service_times")
    }
    # One service, one visit, and the activity's 23 participants.
    assert added == {"visits_done": 1, "activities": 1, "service_times": 25}
    services = running_stack.get("ledger", f"/files/{weekly}/services").json()
    assert services[0]["kind"] == "daily_care"
    replanned = due(today + timedelta(days=5))[monthly]
    assert replanned["last_visited_on"] == today.isoformat()
