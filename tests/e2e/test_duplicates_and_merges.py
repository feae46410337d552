"""Likely duplicates are flagged for a clerk, who dismisses those that are two people and
merges those that are one; a merge keeps both files and histories, is published as
`person.merged` without names, and can be undone once. Two ID numbers are two people."""

import asyncio
import json
from typing import Any

from support.running_stack import RunningStack, wait_for
from wushe.cli.topic_reader import read_topic
from wushe.shared.auth import Role

VILLAGE = "420704001003"  # 凤凰街道古城社区


def register(stack: RunningStack, full_name: str, groups: list[Any], **fields: Any) -> str:
    body = {"full_name": full_name, "residence_region": VILLAGE, "household_region": "420704",
            "groups": groups} | fields  # fmt: skip
    person_id: str = stack.post("intake", "/persons", body)["person_id"]
    return person_id


def candidates(stack: RunningStack, status: str = "open") -> dict[frozenset[str], dict[str, Any]]:
    response = stack.get("intake", f"/duplicates?status={status}&limit=1000")
    assert response.status_code == 200, response.text
    return {
        frozenset(person["person_id"] for person in item["persons"]): item
        for item in response.json()["items"]
    }


def act(stack: RunningStack, path: str, body: dict[str, Any], expected: int = 200) -> Any:
    response = stack.request("POST", "intake", path, json=body)
    assert response.status_code == expected, response.text
    return response.json()


def events_about(stack: RunningStack, person_id: str, count: int) -> list[dict[str, Any]]:
    def published() -> list[dict[str, Any]] | None:
        records = asyncio.run(read_topic(stack.bootstrap, stack.topic("intake.person")))
        mine = [json.loads(r.value) for r in records if r.key == person_id.encode()]
        return mine if len(mine) >= count else None

    return wait_for(published, what=f"{count} events keyed by {person_id}")


def test_duplicates_are_flagged_dismissed_merged_and_unmerged(running_stack: RunningStack) -> None:
    backend = running_stack.backend
    twin = f"钱玉珍{backend}"
    first = register(running_stack, twin, ["elderly_living_alone"], birth_date="1946-08-19")
    second = register(running_stack, twin, ["elderly_living_alone"], birth_date="1946-08-19")
    written, heard = f"张秀英{backend}", f"张秀瑛{backend}"
    survivor = register(running_stack, written, ["elderly_empty_nest"], birth_date="1951-04-07")
    duplicate = register(
        running_stack, heard,
        ["elderly_empty_nest", {"group": "subsistence_allowance", "since": "2020-03-01",
                                "reason": "低保认定"}],
        birth_date="1951-04-07", residence_region="420704002",
    )  # fmt: skip

    open_pairs = candidates(running_stack)
    same = open_pairs[frozenset({first, second})]
    homophones = open_pairs[frozenset({survivor, duplicate})]
    assert same["rule"] == "name_birth_date_village"
    assert homophones["rule"] == "pinyin_birth_date"
    assert {p["full_name"] for p in homophones["persons"]} == {written, heard}
    elsewhere = running_stack.token(Role.STATION_STAFF, region="420703")
    outside = running_stack.request("GET", "intake", "/duplicates?status=open",
                                    headers=running_stack.headers(elsewhere))  # fmt: skip
    assert outside.status_code == 200
    assert not {frozenset(p["person_id"] for p in item["persons"])
                for item in outside.json()["items"]} & set(open_pairs)  # fmt: skip

    dismissal = {"reason": "同名同生日，入户核实为两人"}
    dismissed = act(running_stack, f"/duplicates/{same['candidate_id']}/dismiss", dismissal)
    assert dismissed["status"] == "dismissed" and dismissed["decided_by"] == "test-admin"
    again = act(running_stack, f"/duplicates/{same['candidate_id']}/dismiss", dismissal, 409)
    assert again["detail"]["field"] == "candidate_id"
    assert frozenset({first, second}) not in candidates(running_stack)
    assert frozenset({first, second}) in candidates(running_stack, "dismissed")
    assert act(running_stack, f"/persons/{first}/duplicates", {}) == []

    merge_path = f"/persons/{survivor}/merge"
    reason = {"reason": "入户核实为同一人，登记时用字不同"}
    itself = act(running_stack, merge_path, {"duplicate_id": survivor} | reason, 409)
    assert itself["detail"]["field"] == "duplicate_id"
    merged = act(running_stack, merge_path, {"candidate_id": homophones["candidate_id"]} | reason)
    merge_id = merged["merge_id"]
    assert merged["merged_id"] == duplicate
    assert merged["groups"] == ["elderly_empty_nest", "subsistence_allowance"]
    twice = act(running_stack, merge_path, {"duplicate_id": duplicate} | reason, 409)
    assert twice["detail"]["field"] == "duplicate_id"

    kept = running_stack.get("intake", f"/persons/{survivor}").json()
    assert kept["groups"] == ["elderly_empty_nest", "subsistence_allowance"]
    assert kept["merged_person_ids"] == [duplicate]
    carried = [m for m in kept["memberships"] if m["group"] == "subsistence_allowance"]
    assert [(m["since"], m["until"], m["reason"]) for m in carried] == [
        ("2020-03-01", None, "低保认定")
    ]
    auditor = running_stack.headers(running_stack.token(Role.AUDITOR))
    gone = running_stack.request("GET", "intake", f"/persons/{duplicate}", headers=auditor)
    assert gone.status_code == 200, gone.text
    closed = gone.json()
    assert closed["status"] == "merged" and closed["merged_into"] == survivor
    assert all(m["until"] and m["end_reason"] == "merged" for m in closed["memberships"])
    frozen = running_stack.request("PATCH", "intake", f"/persons/{duplicate}",
                                   json={"phone": "13607110009", "reason": "补录"})  # fmt: skip
    assert frozen.status_code == 409
    history = running_stack.get("intake", f"/persons/{survivor}/history").json()
    assert sorted((h["person_id"], h["kind"]) for h in history) == sorted([
        (survivor, "registered"), (duplicate, "registered"),
        (survivor, "merged"), (duplicate, "merged"),
    ])  # fmt: skip
    assert all(h["detail"]["merge_id"] == merge_id for h in history if h["kind"] == "merged")
    assert all(h["reason"] == reason["reason"] for h in history if h["kind"] == "merged")
    audit = running_stack.get("intake", f"/merges/{merge_id}").json()
    assert audit["merged_by"] == "test-admin" and audit["trace_id"] == merged["trace_id"]
    assert audit["candidate_id"] == homophones["candidate_id"]
    assert candidates(running_stack, "confirmed")[frozenset({survivor, duplicate})]["merge_id"]

    undo_path = f"/merges/{merge_id}/undo"
    act(running_stack, undo_path, {"reason": "经核实并非同一人"})
    undone_twice = act(running_stack, undo_path, {"reason": "重复操作"}, 409)
    assert undone_twice["detail"]["field"] == "merge_id"
    restored = running_stack.get("intake", f"/persons/{duplicate}").json()
    assert restored["status"] == "active" and restored["merged_into"] is None
    assert all(m["until"] is None for m in restored["memberships"])
    kept = running_stack.get("intake", f"/persons/{survivor}").json()
    assert kept["status"] == "active" and kept["merged_person_ids"] == []
    assert kept["groups"] == ["elderly_empty_nest"]
    assert [m["group"] for m in kept["memberships"]] == ["elderly_empty_nest"]
    assert frozenset({survivor, duplicate}) in candidates(running_stack)
    own_history = running_stack.get("intake", f"/persons/{duplicate}/history").json()
    assert [h["kind"] for h in own_history] == ["registered", "merged", "unmerged"]

    events = events_about(running_stack, survivor, 3)
    assert [e["type"] for e in events] == ["person.registered", "person.merged", "person.unmerged"]
    assert events[1]["payload"] == {
        "survivor_id": survivor, "merged_id": duplicate, "merge_id": merge_id,
        "groups": ["elderly_empty_nest", "subsistence_allowance"],
    }  # fmt: skip
    assert events[2]["payload"] == {
        "survivor_id": survivor, "restored_id": duplicate, "merge_id": merge_id,
        "groups": ["elderly_empty_nest"],
        "restored_groups": ["elderly_empty_nest", "subsistence_allowance"],
    }  # fmt: skip
    on_the_topic = json.dumps(events, ensure_ascii=False)
    for name in (written, heard, twin):
        assert name not in on_the_topic, f"{name} travelled on intake.person"


def test_different_id_numbers_are_never_flagged_nor_merged(running_stack: RunningStack) -> None:
    numbers = (
        ("420704195211100023", "42070419521110004X")
        if running_stack.backend == "sqlite"
        else ("420704195211100066", "420704195211100082")
    )
    name = f"孙秀梅{running_stack.backend}"
    one, other = (register(running_stack, name, ["elderly_living_alone"], id_number=number)
                  for number in numbers)  # fmt: skip

    assert frozenset({one, other}) not in candidates(running_stack)
    assert act(running_stack, f"/persons/{one}/duplicates", {}) == []
    refused = act(running_stack, f"/persons/{one}/merge",
                  {"duplicate_id": other, "reason": "同名同生日"}, 409)  # fmt: skip
    assert refused["detail"]["field"] == "id_number"
    assert "身份证号不同" in refused["detail"]["message"]
    elsewhere = running_stack.token(Role.STATION_STAFF, region="420703")
    outside = running_stack.request(
        "POST", "intake", f"/persons/{one}/merge", headers=running_stack.headers(elsewhere),
        json={"duplicate_id": other, "reason": "同名同生日"},
    )  # fmt: skip
    assert outside.status_code == 403
    assert running_stack.get("intake", f"/persons/{other}").json()["status"] == "active"
