"""A child at risk's name and address, sealed by intake in its events, reach in clear the
child-protection station whose agreement names them once the guardian consents, and
never a volunteer team subscribed to the same events without such an agreement: every
body either partner receives is scanned, for the clear values and the sealed ones."""

from typing import Any

from support.running_stack import RunningStack, wait_for
from support.webhook_partners import partner_with_receiver
from wushe.cli.demo_receiver import ReceivedAlerts

REGION = "420703"  # 华容区: partners of its own, apart from the other flows' 420704
CHILD_NAME = "周小满"
CHILD_ADDRESS = "华容镇新华街17号"
PERSON_EVENTS = ("person.registered", "person.group_joined")


def partner(stack: RunningStack, name: str, kind: str) -> tuple[str, ReceivedAlerts]:
    return partner_with_receiver(stack, name, kind, REGION)


def about(store: ReceivedAlerts, person_id: str) -> list[dict[str, Any]]:
    with store.lock:
        return [dict(b) for b in store.by_id.values() if b["data"].get("person_id") == person_id]


def test_a_child_at_risks_name_and_address_reach_only_the_agreed_station(
    running_stack: RunningStack,
) -> None:
    stack = running_stack
    station, station_store = partner(stack, f"华容区未保站-{stack.backend}",
                                     "child_protection_station")  # fmt: skip
    team, team_store = partner(stack, f"华容区志愿服务队-{stack.backend}", "volunteer_team")
    stack.post(
        "notify", f"/partners/{station}/agreements",
        {"reference": "鄂民〔2026〕31号", "event_types": list(PERSON_EVENTS),
         "fields": ["name", "address", "group"], "valid_from": "2026-01-01"},
    )  # fmt: skip
    for event_type in PERSON_EVENTS:
        stack.post(
            "notify", f"/partners/{team}/subscriptions",
            {"event_type": event_type, "region_code": REGION},
        )  # fmt: skip
    # The joining is its own alert here, not a repeat merged into the registration's.
    setting = stack.request(
        "PUT", "notify", f"/rules/child_in_difficulty/regions/{REGION}",
        json={"merge_window_minutes": 0},
    )  # fmt: skip
    assert setting.status_code == 200, setting.text

    child = stack.post(
        "intake", "/persons",
        {"full_name": CHILD_NAME, "birth_date": "2016-06-01", "residence_region": "420703100",
         "household_region": "420703", "address": CHILD_ADDRESS,
         "groups": ["child_left_behind"]},
    )["person_id"]  # fmt: skip
    stack.post(
        "intake", f"/persons/{child}/consents",
        {"purpose": "data_sharing_with_partners", "recipient_kind": "child_protection_station",
         "given_by": "guardian", "guardian_name": "周桂兰", "guardian_relation": "祖母",
         "evidence": "知情同意书 编号 HR-2026-0102", "valid_until": "2099-12-31"},
    )  # fmt: skip
    joined = stack.request(
        "POST", "intake", f"/persons/{child}/groups",
        json={"group": "child_orphan", "reason": "父母双亡，民政认定"},
    )  # fmt: skip
    assert joined.status_code == 200, joined.text

    def both_alerts(store: ReceivedAlerts) -> list[dict[str, Any]] | None:
        bodies = about(store, child)
        return bodies if {b["type"] for b in bodies} == set(PERSON_EVENTS) else None

    to_station = wait_for(lambda: both_alerts(station_store), timeout=45,
                          what="the station's two alerts about the child")  # fmt: skip
    to_team = wait_for(lambda: both_alerts(team_store), timeout=45,
                       what="the team's two alerts about the child")  # fmt: skip

    by_type = {body["type"]: body["data"] for body in to_station}
    # Registered before the guardian consented: the alert goes out without the child's name.
    assert not {"name", "address", "group"} & set(by_type["person.registered"])
    joined_alert = by_type["person.group_joined"]
    assert (joined_alert["name"], joined_alert["address"]) == (CHILD_NAME, CHILD_ADDRESS)
    assert joined_alert["group"] == "child_orphan"

    sealed_values = [
        value for body in to_station + to_team for key, value in body["data"].items()
        if key.endswith("_sealed")
    ]  # fmt: skip
    assert sealed_values == []
    with team_store.lock:
        everything_the_team_got = str(list(team_store.by_id.values()))
    assert to_team and CHILD_NAME not in everything_the_team_got
    assert CHILD_ADDRESS not in everything_the_team_got and "_sealed" not in everything_the_team_got
    for body in to_team:
        assert not {"name", "address", "group", "groups"} & set(body["data"]), body
    assert station_store.rejected == 0 and team_store.rejected == 0
