"""The time bank through the running stack: a volunteer's service recorded through the
ledger's API, and a visit staff record as a named volunteer's, are credited in charity's
time bank from the ledger's events on the real broker, once even when the same event is
published again; staff's own work earns nothing; the volunteer reads their own account,
the station reads it within its region only."""

import asyncio
import json
import uuid
from datetime import date
from typing import Any

from support.kafka_tools import publish
from support.running_stack import RunningStack, wait_for
from wushe.cli.topic_reader import read_topic
from wushe.shared.auth import Role, mint_token

VILLAGE = "420704001003"


def register(stack: RunningStack) -> str:
    body = {"full_name": "孙桂兰", "residence_region": VILLAGE, "household_region": "420704",
            "groups": ["elderly_living_alone"], "birth_date": "1940-03-02",
            "sex": "female"}  # fmt: skip
    person_id: str = stack.post("intake", "/persons", body)["person_id"]
    wait_for(lambda: stack.found("ledger", f"/files/{person_id}"), timeout=30, what="the file")
    return person_id


def test_a_volunteers_service_recorded_in_the_ledger_is_credited_once(
    running_stack: RunningStack,
) -> None:
    stack, today = running_stack, date.today().isoformat()
    person = register(stack)
    volunteer_id = f"vol-{uuid.uuid4().hex[:8]}"
    volunteer = stack.headers(
        mint_token(stack.settings, subject=volunteer_id, role=Role.VOLUNTEER, region="420704")
    )
    worker = stack.headers(stack.token(Role.SOCIAL_WORKER, region="420704"))

    def record(path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        response = stack.request("POST", "ledger", f"/files/{person}/{path}", json=body,
                                 headers=headers)  # fmt: skip
        assert response.status_code == 201, response.text
        return response.json()

    service = record("services", {"kind": "daily_care", "served_on": today,
                                  "duration_minutes": 45}, volunteer)  # fmt: skip
    named = {"visited_on": today, "visitor_kind": "volunteer", "services": ["home_visit"],
             "volunteer_id": volunteer_id}  # fmt: skip
    record("visits", named, worker)
    record("services", {"kind": "policy_consultation", "served_on": today,
                        "duration_minutes": 30}, worker)  # fmt: skip
    refused = stack.request("POST", "ledger", f"/files/{person}/visits", headers=volunteer,
                            json={"visited_on": today, "visitor_kind": "social_worker",
                                  "services": ["home_visit"]})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["detail"]["field"] == "visitor_kind"

    def balance_of(minutes: int) -> dict[str, Any] | None:
        response = stack.request("GET", "charity", "/time-bank/me", headers=volunteer)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found if found["balance_minutes"] >= minutes else None

    wait_for(lambda: balance_of(105), timeout=30, what="45 + 60 minutes credited")

    # The service's event published again, twice, then a later service on the same
    # person's partition: once that one is credited, the copies have been consumed.
    records = asyncio.run(read_topic(stack.bootstrap, stack.topic("ledger.file")))
    [original] = [r for r in records
                  if json.loads(r.value)["payload"].get("service_id") == service["id"]]  # fmt: skip
    topic = stack.topic("ledger.file")
    asyncio.run(publish(stack.bootstrap, topic, [(original.key, original.value)] * 2))
    record("services", {"kind": "shopping_and_meals", "served_on": today,
                        "duration_minutes": 10}, volunteer)  # fmt: skip
    account = wait_for(lambda: balance_of(115), timeout=30, what="the later service credited")
    assert account["balance_minutes"] == 115 and account["entries"] == 3
    assert account["balance_checked"] is True

    history = stack.request("GET", "charity", f"/time-bank/accounts/{volunteer_id}/entries",
                            headers=volunteer).json()  # fmt: skip
    assert [(e["kind"], e["minutes"], e["defaulted"]) for e in history] == [
        ("credited", 45, False), ("credited", 60, True), ("credited", 10, False)
    ]  # fmt: skip
    assert history[0]["source_event_id"] == service["event_id"]

    station = stack.headers(stack.token(Role.STATION_STAFF, region="420704"))
    seen = stack.request("GET", "charity", f"/time-bank/accounts/{volunteer_id}", headers=station)
    assert seen.status_code == 200 and seen.json()["balance_minutes"] == 115
    outsider = stack.headers(stack.token(Role.STATION_STAFF, region="420703"))
    hidden = stack.request("GET", "charity", f"/time-bank/accounts/{volunteer_id}",
                           headers=outsider)  # fmt: skip
    assert hidden.status_code == 403
    someone_else = stack.request("GET", "charity", "/time-bank/accounts/vol-other",
                                 headers=volunteer)  # fmt: skip
    assert someone_else.status_code == 403
    assert someone_else.json()["detail"]["field"] == "account_id"

    figures = stack.request("GET", "charity", "/time-bank/figures", headers=station,
                            params={"start": today, "end": today})  # fmt: skip
    assert figures.status_code == 200, figures.text
    assert figures.json()["volunteers"] >= 1 and figures.json()["earned_minutes"] >= 115


def test_logged_hours_confirmed_donated_and_spent_through_the_api(
    running_stack: RunningStack,
) -> None:
    stack, today = running_stack, date.today().isoformat()

    def volunteer() -> tuple[str, dict[str, str]]:
        subject = f"vol-{uuid.uuid4().hex[:8]}"
        token = mint_token(stack.settings, subject=subject, role=Role.VOLUNTEER, region="420704")
        return subject, stack.headers(token)

    def call(method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        return stack.request(method, "charity", f"/time-bank{path}", headers=headers, json=body)

    giver, giver_headers = volunteer()
    receiver, receiver_headers = volunteer()
    station = stack.headers(stack.token(Role.STATION_STAFF, region="420704"))

    log = {"what": "为王大爷代买药品", "place": "古城社区", "served_on": today, "minutes": 90,
           "region_code": VILLAGE}  # fmt: skip
    logged = call("POST", "/logs", giver_headers, log)
    assert logged.status_code == 201, logged.text
    log_id = logged.json()["log_id"]
    too_long = call("POST", "/logs", giver_headers, log | {"minutes": 1441})
    assert too_long.status_code == 422 and "minutes" in too_long.text
    assert call("GET", "/me", giver_headers).json()["balance_minutes"] == 0
    pending = call("GET", "/logs?status=pending", station).json()
    assert log_id in {row["log_id"] for row in pending}

    confirmed = call("POST", f"/logs/{log_id}/confirmation", station)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    twice = call("POST", f"/logs/{log_id}/rejection", station, {"reason": "重复"})
    assert twice.status_code == 409 and twice.json()["detail"]["field"] == "log_id"

    given = call("POST", "/donations", giver_headers, {"minutes": 40, "to_volunteer_id": receiver})
    assert given.status_code == 201, given.text
    overdrawn = call("POST", "/donations", giver_headers,
                     {"minutes": 51, "to_volunteer_id": receiver})  # fmt: skip
    assert overdrawn.status_code == 409 and overdrawn.json()["detail"]["field"] == "minutes"
    neither = call("POST", "/donations", giver_headers, {"minutes": 5})
    assert neither.status_code == 422 and "to_volunteer_id" in neither.text

    spending = {"minutes": 30, "service_kind": "daily_care", "beneficiary": "family",
                "spent_on": today, "region_code": VILLAGE}  # fmt: skip
    spent = call("POST", f"/accounts/{receiver}/spendings", station, spending)
    assert spent.status_code == 201, spent.text
    by_volunteer = call("POST", f"/accounts/{receiver}/spendings", receiver_headers, spending)
    assert by_volunteer.status_code == 403

    assert call("GET", f"/accounts/{giver}", station).json()["balance_minutes"] == 50
    mine = call("GET", "/me", receiver_headers).json()
    assert mine["balance_minutes"] == 10 and mine["balance_checked"] is True
    history = call("GET", f"/accounts/{receiver}/entries", receiver_headers).json()
    assert [(e["kind"], e["minutes"], e["balance_after"]) for e in history] == [
        ("received", 40, 40), ("spent", -30, 10)
    ]  # fmt: skip
    admin = stack.headers(stack.token(Role.ADMIN, region="420704"))
    assert call("GET", "/balance-check", admin).json() == []
