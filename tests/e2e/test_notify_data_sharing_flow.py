"""Data sharing through the running stack: a child registered and changed in intake, a
guardian's consent granted and revoked, and the child-protection stations' webhooks.
Every body either station ever receives is scanned: no field beyond what says nothing
about a person and what its agreement allows, personal fields only while consent holds,
and the sharing ledger in notify answers who received what about the child."""

from typing import Any

from support.running_stack import RunningStack, wait_for
from support.webhook_partners import partner_with_receiver
from wushe.cli.demo_receiver import ReceivedAlerts

# What an alert says about no one: the envelope, and each event type's own such fields.
ENVELOPE = {
    "alert_id",
    "event_id",
    "reason",
    "rule",
    "subject",
    "region_code",
    "correlation_id",
    "repeats",
}
# The person's id is a pseudonymous reference every alert about them carries.
NON_PERSONAL = {
    "person.registered": {"person_id", "station_region"},
    "person.group_joined": {"person_id"},
    "crisis.reported": {"person_id", "visit_id", "found_on"},
}
AGREED = {"groups", "group", "since"}
CHILD_NAME = "林小禾"


def station_with_receiver(stack: RunningStack, name: str) -> tuple[str, ReceivedAlerts]:
    return partner_with_receiver(stack, name, "child_protection_station", "420704")


def bodies(store: ReceivedAlerts) -> list[dict[str, Any]]:
    with store.lock:
        return [dict(alert) for alert in store.by_id.values()]


def beyond_allowed(body: dict[str, Any], allowed: set[str]) -> set[str]:
    public = NON_PERSONAL.get(body["type"], set())
    return set(body["data"]) - ENVELOPE - public - allowed


def test_partners_receive_only_agreed_fields_and_only_while_consent_holds(
    running_stack: RunningStack,
) -> None:
    stack = running_stack
    agreed, store = station_with_receiver(stack, f"鄂城区未保站-{stack.backend}")
    unagreed, bare_store = station_with_receiver(stack, f"华容区未保站-{stack.backend}")
    stack.post(
        "notify",
        f"/partners/{agreed}/agreements",
        {
            "reference": "鄂民〔2026〕12号",
            "event_types": ["person.registered", "person.group_joined"],
            "fields": sorted(AGREED),
            "valid_from": "2026-01-01",
        },
    )
    # Each change to the child is its own alert here, not a repeat merged into the first.
    setting = stack.request(
        "PUT",
        "notify",
        "/rules/child_in_difficulty/regions/420704",
        json={"merge_window_minutes": 0},
    )
    assert setting.status_code == 200 and setting.json()["set_by_region"] == "420704"

    child = stack.post(
        "intake",
        "/persons",
        {
            "full_name": CHILD_NAME,
            "birth_date": "2015-04-09",
            "residence_region": "420704002",
            "household_region": "420704",
            "groups": ["child_left_behind"],
        },
    )["person_id"]
    path = f"/persons/{child}"
    consent = stack.post(
        "intake",
        f"{path}/consents",
        {
            "purpose": "data_sharing_with_partners",
            "recipient_kind": "child_protection_station",
            "given_by": "guardian",
            "guardian_name": "林桂芬",
            "guardian_relation": "祖母",
            "evidence": "知情同意书 编号 HC-2026-0511",
            "valid_until": "2099-12-31",
        },
    )["consent_id"]
    joined = stack.request(
        "POST",
        "intake",
        f"{path}/groups",
        json={"group": "child_orphan", "reason": "父母双亡，民政认定"},
    )
    assert joined.status_code == 200, joined.text
    revoked = stack.request(
        "POST", "intake", f"{path}/consents/{consent}/revoke", json={"reason": "监护人撤回"}
    )
    assert revoked.status_code == 200, revoked.text
    joined = stack.request(
        "POST",
        "intake",
        f"{path}/groups",
        json={"group": "child_unattended", "reason": "监护缺失，民政认定"},
    )
    assert joined.status_code == 200, joined.text

    def ledger_of_child() -> list[dict[str, Any]] | None:
        lines = stack.found("notify", f"/persons/{child}/sharing")
        mine = [line for line in lines or [] if line["partner_id"] == agreed]
        return lines if len(mine) == 3 else None

    lines = wait_for(ledger_of_child, timeout=45, what="three alerts about the child")
    mine = [line for line in lines if line["partner_id"] == agreed]
    # Joining child_orphan also offers the child's name, sealed by intake for a child at
    # risk, which this agreement does not name.
    assert [
        (line["event_type"], line["fields_shared"], line["withheld_because"]) for line in mine
    ] == [
        ("person.registered", [], "no_consent"),
        ("person.group_joined", ["group", "groups", "since"], "not_in_agreement"),
        ("person.group_joined", [], "no_consent"),
    ]
    assert mine[1]["consent_id"] == consent and mine[1]["agreement_id"] is not None
    theirs = [line for line in lines if line["partner_id"] == unagreed]
    assert theirs and all(line["fields_shared"] == [] for line in theirs)
    assert {line["withheld_because"] for line in theirs} == {"no_agreement"}

    alert_ids = {line["alert_id"] for line in mine + theirs}
    wait_for(
        lambda: alert_ids <= {b["data"]["alert_id"] for b in bodies(store) + bodies(bare_store)},
        timeout=30,
        what="the alerts delivered to both stations",
    )
    received = {b["data"]["alert_id"]: b for b in bodies(store)}
    registered, with_consent, after_revocation = (received[line["alert_id"]] for line in mine)
    assert with_consent["data"]["person_id"] == child
    assert set(with_consent["data"]["groups"]) == {"child_left_behind", "child_orphan"}
    assert with_consent["data"]["group"] == "child_orphan"
    for body in (registered, after_revocation):
        assert body["data"]["person_id"] == child
        assert not {"groups", "group", "since"} & set(body["data"])
        assert "child_unattended" not in str(body) and "child_left_behind" not in str(body)

    # The scan: every alert either station ever received in this stack, whoever it was about.
    for body in bodies(store):
        assert beyond_allowed(body, AGREED) == set(), body
    for body in bodies(bare_store):
        assert beyond_allowed(body, set()) == set(), body
    assert CHILD_NAME not in str(bodies(store) + bodies(bare_store))
    assert store.rejected == 0 and bare_store.rejected == 0
