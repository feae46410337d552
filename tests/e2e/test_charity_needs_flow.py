"""Needs and goods through the running stack: a need from posting to confirmation over
charity's HTTP API, with each step's event on charity.need; goods given to a person's file
only while in stock, with goods.distributed on charity.goods naming the file by id."""

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

from support.running_stack import RunningStack, wait_for
from wushe.charity.domain.goods_periods import china_today
from wushe.cli.topic_reader import read_topic
from wushe.shared.auth import Role, mint_token

VILLAGE = "420704001003"
STATION = "420704001"


def events_about(stack: RunningStack, topic: str, key: str) -> list[dict[str, Any]]:
    records = asyncio.run(read_topic(stack.bootstrap, stack.topic(topic)))
    return [json.loads(r.value) for r in records if r.key is not None and r.key.decode() == key]


def test_a_need_is_posted_taken_fulfilled_and_confirmed_through_the_api(
    running_stack: RunningStack,
) -> None:
    stack = running_stack
    staff = stack.headers(stack.token(Role.STATION_STAFF, region="420704"))
    partners = {
        name: stack.headers(mint_token(stack.settings, subject=name, role=Role.PARTNER,
                                       region="420704"))
        for name in (f"org-{uuid.uuid4().hex[:8]}", f"org-{uuid.uuid4().hex[:8]}")
    }  # fmt: skip
    first, second = partners

    def call(method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        response = stack.request(method, "charity", path, headers=headers, json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    for name, headers in partners.items():
        offered = call("POST", "/offers", headers, {"kinds": ["shopping_and_meals"],
                       "regions": ["420704"], "capacity": 2, "summary": "助餐送餐"})  # fmt: skip
        assert offered["partner_id"] == name and offered["capacity_left"] == 2

    past = stack.request("POST", "charity", "/needs", headers=staff, json={
        "kind": "shopping_and_meals", "summary": "代买助餐", "region_code": VILLAGE,
        "deadline": (china_today() - timedelta(days=3)).isoformat(),
    })  # fmt: skip
    assert past.status_code == 422 and past.json()["detail"]["field"] == "deadline", past.text
    unknown_kind = stack.request("POST", "charity", "/needs", headers=staff, json={
        "kind": "haircut", "summary": "理发", "region_code": VILLAGE,
        "deadline": china_today().isoformat(),
    })  # fmt: skip
    assert unknown_kind.status_code == 422
    assert any("kind" in error["loc"] for error in unknown_kind.json()["detail"])

    person = str(uuid.uuid4())
    need = call("POST", "/needs", staff, {
        "kind": "shopping_and_meals", "quantity": 4, "unit": "次", "person_id": person,
        "summary": "独居老人每周代买助餐", "region_code": VILLAGE,
        "deadline": (china_today() + timedelta(days=7)).isoformat(),
    })  # fmt: skip
    need_id = need["need_id"]
    assert need["status"] == "posted" and need["kind_name"] == "代买助餐"

    suggested = call("GET", f"/needs/{need_id}/suggestions", staff)
    assert {s["partner_id"] for s in suggested} == set(partners)
    assert all(s["reasons"] for s in suggested)

    taken = call("POST", f"/needs/{need_id}/take", partners[first])
    assert taken["status"] == "taken" and taken["taken_by"] == first
    again = stack.request("POST", "charity", f"/needs/{need_id}/take", headers=partners[second])
    assert again.status_code == 409 and again.json()["detail"]["field"] == "status", again.text

    call("POST", f"/needs/{need_id}/fulfilment", partners[first], {"note": "已送四次"})
    confirmed = call("POST", f"/needs/{need_id}/confirmation", staff)
    assert confirmed["status"] == "confirmed"
    assert [s["step"] for s in confirmed["steps"]] == ["posted", "taken", "fulfilled", "confirmed"]
    assert confirmed["steps"][2]["note"] == "已送四次"

    expected = ["need.posted", "need.taken", "need.fulfilled", "need.confirmed"]

    def all_steps_published() -> list[dict[str, Any]] | None:
        events = events_about(stack, "charity.need", need_id)
        return events if [e["type"] for e in events] == expected else None

    events = wait_for(all_steps_published, timeout=30, what="the need's four events")
    assert all(e["payload"]["person_id"] == person for e in events)
    assert all(e["payload"]["region_code"] == VILLAGE for e in events)
    assert (
        events[-1]["payload"]["partner_id"] == first and events[-1]["actor"] == "test-station_staff"
    )
    assert "独居老人" not in json.dumps(events, ensure_ascii=False)

    def need_alerted() -> list[dict[str, Any]] | None:
        alerts = [a for a in stack.alerts_for(need_id) if a["type"] == "need.posted"]
        return alerts or None

    alert = wait_for(need_alerted, timeout=30, what="the subscribed partner's need alert")[0]
    assert alert["data"]["kind"] == "shopping_and_meals"
    assert alert["data"]["reason"] == "subscription"

    report = call("GET", "/needs/figures?region=420704&month=" + china_today().strftime("%Y-%m"),
                  staff)  # fmt: skip
    assert report["total"]["confirmed"] >= 1 and report["total"]["organisations_engaged"] >= 1


def test_goods_are_given_to_a_persons_file_only_while_in_stock(running_stack: RunningStack) -> None:
    stack = running_stack
    staff = stack.headers(stack.token(Role.STATION_STAFF, region="420704"))
    description = f"棉被 {uuid.uuid4().hex[:6]}"
    received = stack.request("POST", "charity", "/goods/receipts", headers=staff, json={
        "station_region": STATION, "category": "daily_necessities", "description": description,
        "unit": "床", "quantity": 3, "unit_value_fen": 12_000, "donor_name": "爱心企业甲",
    })  # fmt: skip
    assert received.status_code == 201, received.text
    stock_id = received.json()["stock"]["stock_id"]

    person = str(uuid.uuid4())
    too_many = stack.request("POST", "charity", "/goods/distributions", headers=staff, json={
        "stock_id": stock_id, "quantity": 4, "person_id": person, "recipient_region": VILLAGE,
    })  # fmt: skip
    assert too_many.status_code == 409 and too_many.json()["detail"]["field"] == "quantity"
    given = stack.request("POST", "charity", "/goods/distributions", headers=staff, json={
        "stock_id": stock_id, "quantity": 2, "person_id": person, "recipient_region": VILLAGE,
    })  # fmt: skip
    assert given.status_code == 201, given.text
    assert given.json()["stock"]["quantity"] == 1 and given.json()["value_change_fen"] == -24_000

    stock = stack.request("GET", "charity", "/goods/stock?region=420704", headers=staff).json()
    assert [s["quantity"] for s in stock if s["stock_id"] == stock_id] == [1]

    def distributed() -> list[dict[str, Any]] | None:
        events = events_about(stack, "charity.goods", stock_id)
        return events if len(events) == 2 else None

    events = wait_for(distributed, timeout=30, what="the goods events")
    assert [e["type"] for e in events] == ["goods.received", "goods.distributed"]
    assert events[1]["payload"]["person_id"] == person
    assert "爱心企业甲" not in json.dumps(events, ensure_ascii=False)
