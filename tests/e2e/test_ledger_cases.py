"""A case's whole life through the running stack: opened, assessed, planned with goals,
intervened in with a case conference, evaluated, sent back when a goal was not met,
closed with the satisfaction survey and reopened. A second open case of a kind is
refused, another station is refused, and what travels on the topic and sits on the
timeline holds no sealed text in clear and no personal data."""

import asyncio
import json
from datetime import date
from typing import Any

from support.running_stack import RunningStack, wait_for
from wushe.cli.topic_reader import read_topic
from wushe.shared.auth import Role

VILLAGE = "420704001003"  # 凤凰街道古城社区
NAME, ID_PHONE = "孙玉珍", "13907110000"
SEALED = {
    "note": "儿子长期在外务工，老人独居，近期跌倒两次",
    "goal_meals": "每日有人送餐",
    "goal_checks": "每周两次上门探视并记录血压",
    "decisions": "街道协调助餐点送餐，卫生服务中心每月上门随访",
    "reason": "再次跌倒，独自在家无人发现",
    "outcome": "血压记录不全，家属未配合",
    "comment": "社工很耐心，希望继续上门",
    "reopening": "出院后需重新评估照护需求",
}


def register(stack: RunningStack) -> str:
    body = {"full_name": NAME, "residence_region": VILLAGE, "household_region": "420704",
            "groups": ["elderly_living_alone"], "birth_date": "1940-09-12", "sex": "female",
            "phone": ID_PHONE}  # fmt: skip
    person_id: str = stack.post("intake", "/persons", body)["person_id"]
    wait_for(lambda: stack.found("ledger", f"/files/{person_id}"), timeout=30, what="the file")
    return person_id


class Worker:
    """A social worker of the person's station, acting on one case."""

    def __init__(self, stack: RunningStack, region: str = "420704") -> None:
        self.stack = stack
        self.headers = stack.headers(stack.token(Role.SOCIAL_WORKER, region=region))
        self.case_id = ""

    def post(self, path: str, body: dict[str, Any], expected: int = 200) -> Any:
        response = self.stack.request("POST", "ledger", path, json=body, headers=self.headers)
        assert response.status_code == expected, response.text
        return response.json()

    def on_case(self, action: str, body: dict[str, Any], expected: int = 200) -> Any:
        return self.post(f"/cases/{self.case_id}/{action}", body, expected)

    def move(self, to_stage: str, expected: int = 200) -> Any:
        return self.on_case("transitions", {"to_stage": to_stage, "note": SEALED["note"]}, expected)


def published_about(stack: RunningStack, person_id: str, last: str) -> list[dict[str, Any]]:
    def arrived() -> list[dict[str, Any]] | None:
        records = asyncio.run(read_topic(stack.bootstrap, stack.topic("ledger.file")))
        mine = [json.loads(r.value) for r in records if r.key == person_id.encode()]
        return mine if mine and mine[-1]["type"] == last else None

    return wait_for(arrived, timeout=30, what=f"{last} about {person_id} on ledger.file")


def test_a_case_from_intake_to_closing_and_reopening(running_stack: RunningStack) -> None:
    person = register(running_stack)
    worker = Worker(running_stack)
    opening = {"person_id": person, "kind": "elderly_care", "risk_level": "medium",
               "note": SEALED["note"]}  # fmt: skip
    worker.case_id = worker.post("/cases", opening, 201)["id"]
    second = worker.post("/cases", opening, 409)
    assert second["detail"]["field"] == "kind"
    relief = worker.post("/cases", {**opening, "kind": "poverty_relief", "note": None}, 201)["id"]

    assert worker.move("planning", 409)["detail"]["field"] == "to_stage"
    worker.move("assessment")
    worker.move("planning")
    assert worker.move("intervention", 409)["detail"]["field"] == "goals"
    worker.on_case("goals", {"goals": [SEALED["goal_meals"], SEALED["goal_checks"]]})
    worker.move("intervention")
    agencies = [{"kind": "street_office", "name": "凤凰街道办事处"},
                {"kind": "health", "name": "凤凰街道社区卫生服务中心"}]  # fmt: skip
    today = date.today().isoformat()
    conference = {"held_on": today, "agencies": agencies, "decisions": SEALED["decisions"]}
    worker.on_case("conferences", conference)
    worker.on_case("risk", {"risk_level": "high", "reason": SEALED["reason"]})
    worker.move("evaluation")

    case = running_stack.request("GET", "ledger", f"/cases/{worker.case_id}",
                                 headers=worker.headers).json()  # fmt: skip
    meals, checks = (goal["goal_id"] for goal in case["goals"])
    worker.on_case(f"goals/{meals}/outcome", {"outcome": "achieved"})
    worker.on_case(f"goals/{checks}/outcome", {"outcome": "partly", "note": SEALED["outcome"]})
    goals_met = {"reason": "goals_met"}
    assert worker.on_case("closing", goals_met, 409)["detail"]["field"] == "reason"
    worker.move("intervention")
    worker.move("evaluation")
    worker.on_case(f"goals/{checks}/outcome", {"outcome": "achieved"})
    survey = {"attitude": 5, "responsiveness": 4, "helpfulness": 5, "overall": 5}
    for bad, field in (({**survey, "overall": 6}, "overall"), ({**survey, "mood": 3}, "mood")):
        refused = worker.on_case("closing", {**goals_met, "satisfaction": bad}, 422)
        assert any(field in error["loc"] for error in refused["detail"]), refused
    worker.on_case("closing", {**goals_met, "satisfaction": survey,
                               "satisfaction_comment": SEALED["comment"]})  # fmt: skip
    assert worker.move("assessment", 409)["detail"]["field"] == "to_stage"
    worker.on_case("reopening", {"note": SEALED["reopening"]})
    worker.on_case("assignment", {"social_worker": "worker-031"})

    case = running_stack.request("GET", "ledger", f"/cases/{worker.case_id}",
                                 headers=worker.headers).json()  # fmt: skip
    assert (case["stage"], case["stage_name"]) == ("assessment", "预估")
    assert (case["kind"], case["kind_name"]) == ("elderly_care", "养老服务")
    assert (case["risk_level"], case["social_worker"]) == ("high", "worker-031")
    assert [(s["from_stage"], s["to_stage"]) for s in case["steps"]] == [
        (None, "intake"), ("intake", "assessment"), ("assessment", "planning"),
        ("planning", "intervention"), ("intervention", "evaluation"),
        ("evaluation", "intervention"), ("intervention", "evaluation"),
        ("evaluation", "closed"), ("closed", "assessment"),
    ]  # fmt: skip
    assert all(s["by"] == "test-social_worker" and s["at"] for s in case["steps"])
    closing = case["steps"][-2]
    assert closing["closing_reason"] == "goals_met" and closing["satisfaction"] == survey
    assert closing["satisfaction_comment"] == SEALED["comment"]
    assert [(g["description"], g["outcome"]) for g in case["goals"]] == [
        (SEALED["goal_meals"], "achieved"), (SEALED["goal_checks"], "achieved")
    ]  # fmt: skip
    assert case["conferences"][0]["decisions"] == SEALED["decisions"]
    assert case["conferences"][0]["agencies"] == agencies
    assert case["risk_changes"][0]["reason"] == SEALED["reason"]

    for role in (Role.AUDITOR, Role.PARTNER):
        reader = running_stack.headers(running_stack.token(role, region="420704"))
        seen = running_stack.request("GET", "ledger", f"/cases/{worker.case_id}", headers=reader)
        assert seen.status_code == 200, seen.text
        assert not any(text in seen.text for text in SEALED.values()), role
        refused = running_stack.request("POST", "ledger", f"/cases/{relief}/closing",
                                        json={"reason": "declined"}, headers=reader)  # fmt: skip
        assert refused.status_code == 403, role

    elsewhere = Worker(running_stack, region="420702")
    elsewhere.case_id = relief
    elsewhere.on_case("closing", {"reason": "declined"}, 403)
    elsewhere.post("/cases", {**opening, "kind": "mental_health"}, 403)
    other_station = running_stack.request("GET", "ledger", f"/cases/{worker.case_id}",
                                          headers=elsewhere.headers)  # fmt: skip
    assert other_station.status_code == 403
    listed = running_stack.request("GET", "ledger", f"/files/{person}/cases",
                                   headers=worker.headers).json()  # fmt: skip
    assert {c["case_id"] for c in listed} == {worker.case_id, relief}

    events = published_about(running_stack, person, "case.reassigned")
    cases = [e for e in events if e["type"].startswith("case.")]
    assert [e["type"] for e in cases if e["payload"]["case_id"] == worker.case_id] == [
        "case.opened", "case.advanced", "case.advanced", "case.goals_set", "case.advanced",
        "case.conference_held", "case.risk_changed", "case.advanced", "case.goal_evaluated",
        "case.goal_evaluated", "case.advanced", "case.advanced", "case.goal_evaluated",
        "case.closed", "case.reopened", "case.reassigned",
    ]  # fmt: skip
    assert all(e["actor"] == "test-social_worker" and e["region_code"] == VILLAGE for e in cases)
    on_the_topic = json.dumps(events, ensure_ascii=False)
    timeline = running_stack.request("GET", "ledger", f"/files/{person}/timeline?limit=100",
                                     headers=worker.headers).json()["items"]  # fmt: skip
    on_the_timeline = json.dumps(timeline, ensure_ascii=False)
    assert sum(entry["event_type"].startswith("case.") for entry in timeline) == len(cases)
    for text in [*SEALED.values(), NAME, ID_PHONE, "1940-09-12"]:
        assert text not in on_the_topic and text not in on_the_timeline, text
