"""A person's file changes over time: details, groups, moves, death. Each change is an
event on `intake.person` and a line in the person's history, and no event carries
their name, ID number, phone or address."""

import asyncio
import json
from typing import Any

from support.running_stack import RunningStack
from wushe.cli.topic_reader import read_topic
from wushe.shared.auth import Role


def change(stack: RunningStack, path: str, body: dict[str, Any], method: str = "POST") -> Any:
    response = stack.request(method, "intake", path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_changes_are_events_and_history(running_stack: RunningStack) -> None:
    number = "420704194205180026" if running_stack.backend == "sqlite" else "420704194205180042"
    phone, address = "13607110001", "凤凰街道寒溪路12号"
    person = running_stack.post(
        "intake", "/persons",
        {"full_name": "孙桂兰", "id_number": number, "residence_region": "420704001",
         "household_region": "420704", "groups": ["elderly_empty_nest"]},
    )  # fmt: skip
    path = f"/persons/{person['person_id']}"

    updated = change(running_stack, path, {"phone": phone, "address": address,
                                           "reason": "入户核实"}, method="PATCH")  # fmt: skip
    assert updated["changed_fields"] == ["address", "phone"]
    correction = {"id_number": "11010519491231002X", "reason": "更正"}
    refused = running_stack.request("PATCH", "intake", path, json=correction)
    assert refused.status_code == 409 and refused.json()["detail"]["field"] == "id_number"

    change(running_stack, f"{path}/groups",
           {"group": "disabled", "since": "2026-01-05", "reason": "新办残疾人证",
            "profiles": {"disability": {"category": "physical", "grade": 3}}})  # fmt: skip
    change(running_stack, f"{path}/groups",
           {"group": "elderly_living_alone", "reason": "配偶去世"})  # fmt: skip
    change(running_stack, f"{path}/groups/elderly_empty_nest/leave", {"reason": "配偶去世"})
    twice = running_stack.request("POST", "intake", f"{path}/groups/elderly_empty_nest/leave",
                                  json={"reason": "重复操作"})  # fmt: skip
    assert twice.status_code == 409 and "not in elderly_empty_nest" in twice.text

    detail = running_stack.get("intake", path).json()
    assert sorted(detail["groups"]) == ["disabled", "elderly_living_alone"]
    periods = {(m["group"], m["until"] is None) for m in detail["memberships"]}
    assert periods == {("elderly_empty_nest", False), ("disabled", True),
                       ("elderly_living_alone", True)}  # fmt: skip
    assert detail["profile_kinds"] == ["disability"] and detail["profiles"] is None
    assert detail["has_address"] and detail["address"] is None

    revealed = running_stack.get(
        "intake", f"{path}?reveal=address&reveal=profiles&purpose=上门探访前核对"
    ).json()
    assert revealed["address"] == address
    disability = revealed["profiles"]["disability"]
    assert (disability["category"], disability["grade"]) == ("physical", 3)

    move = {"to_region": "420702", "moved_on": "2026-11-20", "reason": "随子女迁居梁子湖区"}
    change(running_stack, f"{path}/relocation", move)
    leaving_station = running_stack.token(Role.STATION_STAFF, region="420704")
    handed_over = running_stack.request("GET", "intake", path,
                                        headers=running_stack.headers(leaving_station))  # fmt: skip
    assert handed_over.status_code == 403
    change(running_stack, f"{path}/death", {"died_on": "2026-11-21", "reason": "村委会报告"})
    closed = running_stack.request("POST", "intake", f"{path}/groups",
                                   json={"group": "homeless", "reason": "x" * 3})  # fmt: skip
    assert closed.status_code == 409

    final = running_stack.get("intake", path).json()
    assert final["status"] == "deceased" and final["deceased_on"] == "2026-11-21"
    assert all(m["until"] for m in final["memberships"])
    history = running_stack.get("intake", f"{path}/history").json()
    assert [h["kind"] for h in history] == [
        "registered", "updated", "group_joined", "group_joined", "group_left", "relocated",
        "deceased",
    ]  # fmt: skip
    assert history[1]["fields"] == ["address", "phone"] and history[1]["reason"] == "入户核实"
    assert history[5]["detail"] == {"from_region": "420704001", "to_region": "420702"}
    assert all(h["trace_id"] and h["event_id"] for h in history)

    records = asyncio.run(read_topic(running_stack.bootstrap, running_stack.topic("intake.person")))
    mine = [json.loads(r.value) for r in records if r.key == person["person_id"].encode()]
    assert [event["id"] for event in mine] == [h["event_id"] for h in history]
    registered = mine[0]["payload"]
    assert registered["sex"] == "female" and registered["age_band"] == "80+"
    published = b"".join(record.value for record in records)
    for secret in (number, phone, address, "孙桂兰"):
        for form in (secret.encode(), json.dumps(secret)[1:-1].encode()):
            assert form not in published, f"{secret} travelled on intake.person"


def test_search_by_identifiers_group_and_region(running_stack: RunningStack) -> None:
    suffix = "sqlite" if running_stack.backend == "sqlite" else "pg"
    name = f"周建国{suffix}"
    phone = "13907110002" if suffix == "sqlite" else "13907110003"
    child = running_stack.post(
        "intake", "/persons",
        {"full_name": name, "birth_date": "2014-06-01", "phone": phone,
         "residence_region": "420704002", "household_region": "420704",
         "groups": ["child_left_behind"]},
    )  # fmt: skip
    for body in ({"full_name": name, "birth_date": "1950-02-01", "residence_region": "420704",
                  "household_region": "420704", "groups": ["elderly_living_alone"]},
                 {"full_name": f"王{suffix}", "residence_region": "420703",
                  "household_region": "420703", "groups": ["extreme_poverty"]}):  # fmt: skip
        running_stack.post("intake", "/persons", body)

    def search(query: str) -> dict[str, Any]:
        response = running_stack.get("intake", f"/persons?{query}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    by_name = search(f"name={name}")
    assert by_name["total"] == 2
    by_phone = search(f"phone=139-0711-{phone[-4:]}")
    assert [p["person_id"] for p in by_phone["items"]] == [child["person_id"]]
    both = search(f"name={name}&group=child_left_behind")
    assert [p["person_id"] for p in both["items"]] == [child["person_id"]]
    assert search(f"name={name}&region=420704002")["total"] == 1
    assert search(f"name=王{suffix}&region=420704")["total"] == 0
    page = search("limit=1&offset=1")
    assert len(page["items"]) == 1 and page["total"] >= 3 and page["offset"] == 1
    bad = running_stack.get("intake", "/persons?phone=12")
    assert bad.status_code == 422 and "phone" in bad.text
