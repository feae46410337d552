"""The mandatory report (强制报告, 未成年人保护法 第十一条) through the running stack: a
child-protection station whose agreement names the ground receives a child at risk's
name and address in clear on the registration's alert, before anyone could consent; a
volunteer team subscribed to the same events never does, and an agreement naming the
ground for it is refused. Every body either partner receives is scanned, and notify's
sharing ledger says the station received them under the ground, with no consent."""

from typing import Any

from support.running_stack import RunningStack, wait_for
from support.webhook_partners import partner_with_receiver
from wushe.cli.demo_receiver import ReceivedAlerts

REGION = "420702"  # 梁子湖区: partners of its own, apart from the other flows' regions
CHILD_NAME = "梁小禾"
CHILD_ADDRESS = "梁子镇湖滨路8号"
MANDATORY_REPORT = "child_protection_mandatory_report"


def partner(stack: RunningStack, name: str, kind: str) -> tuple[str, ReceivedAlerts]:
    return partner_with_receiver(stack, name, kind, REGION)


def registration_about(store: ReceivedAlerts, person_id: str) -> dict[str, Any] | None:
    with store.lock:
        return next(
            (
                dict(body)
                for body in store.by_id.values()
                if body["type"] == "person.registered"
                and body["data"].get("person_id") == person_id
            ),
            None,
        )


def test_a_mandatory_report_carries_the_name_and_address_on_the_registration_alert(
    running_stack: RunningStack,
) -> None:
    stack = running_stack
    station, station_store = partner(stack, f"梁子湖区未保站-{stack.backend}",
                                     "child_protection_station")  # fmt: skip
    team, team_store = partner(stack, f"梁子湖区志愿服务队-{stack.backend}", "volunteer_team")
    report = {
        "reference": "鄂民〔2026〕40号",
        "event_types": ["person.registered", "person.group_joined"],
        "fields": ["name", "address", "groups"], "valid_from": "2026-01-01",
        "statutory_ground": MANDATORY_REPORT,
        "statutory_note": "《中华人民共和国未成年人保护法》第十一条 强制报告",
    }  # fmt: skip
    refused = stack.request("POST", "notify", f"/partners/{team}/agreements", json=report)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"][-1] == "statutory_ground"
    agreement = stack.post("notify", f"/partners/{station}/agreements", report)
    assert agreement["statutory_ground"] == MANDATORY_REPORT
    stack.post(
        "notify", f"/partners/{team}/subscriptions",
        {"event_type": "person.registered", "region_code": REGION},
    )  # fmt: skip

    child = stack.post(
        "intake", "/persons",
        {"full_name": CHILD_NAME, "birth_date": "2017-03-09", "residence_region": "420702100",
         "household_region": "420702", "address": CHILD_ADDRESS,
         "groups": ["child_left_behind"]},
    )["person_id"]  # fmt: skip

    to_station = wait_for(lambda: registration_about(station_store, child), timeout=45,
                          what="the station's registration alert")  # fmt: skip
    to_team = wait_for(lambda: registration_about(team_store, child), timeout=45,
                       what="the team's registration alert")  # fmt: skip
    # No consent was ever recorded for the child: the law, not consent, lets these go.
    assert (to_station["data"]["name"], to_station["data"]["address"]) == (
        CHILD_NAME, CHILD_ADDRESS,
    )  # fmt: skip
    assert to_station["data"]["groups"] == ["child_left_behind"]

    with station_store.lock:
        to_the_station = [dict(body) for body in station_store.by_id.values()]
    with team_store.lock:
        everything_the_team_got = str(list(team_store.by_id.values()))
    for body in to_the_station:
        assert not [key for key in body["data"] if key.endswith("_sealed")], body
    assert to_team and CHILD_NAME not in everything_the_team_got
    assert CHILD_ADDRESS not in everything_the_team_got and "_sealed" not in everything_the_team_got
    assert not {"name", "address", "groups", "age_band", "sex"} & set(to_team["data"])
    assert station_store.rejected == 0 and team_store.rejected == 0

    answer = stack.get("notify", f"/persons/{child}/sharing")
    assert answer.status_code == 200, answer.text
    lines = {line["partner_id"]: line for line in answer.json()}
    assert lines[station]["fields_shared"] == ["address", "groups", "name"]
    assert lines[station]["statutory_ground"] == MANDATORY_REPORT
    assert (lines[station]["agreement_id"], lines[station]["consent_id"]) == (
        agreement["agreement_id"], None,
    )  # fmt: skip
    assert lines[team]["fields_shared"] == [] and lines[team]["statutory_ground"] is None
