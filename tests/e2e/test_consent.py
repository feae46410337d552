"""A person's consent decides whether their data may be shared: granted by a guardian for
a child, checked, revoked, checked again; a legal basis allows what consent no longer
does. Grant and revocation are events on `intake.person` and lines in the history, and
the guardian's name never travels on the topic."""

import asyncio
import json
from datetime import date
from typing import Any

from support.running_stack import RunningStack, wait_for
from wushe.cli.topic_reader import read_topic
from wushe.shared.auth import Role

GUARDIAN = "欧阳桂芳"
EVIDENCE = "知情同意书 编号 HC-2026-0412"


def check(stack: RunningStack, path: str, recipient_kind: str) -> dict[str, Any]:
    query = f"purpose=data_sharing_with_partners&recipient_kind={recipient_kind}"
    response = stack.get("intake", f"{path}/consents/check?{query}")
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_consent_is_granted_checked_revoked_and_published(running_stack: RunningStack) -> None:
    child_name = f"陈小雨{running_stack.backend}"
    child = running_stack.post(
        "intake", "/persons",
        {"full_name": child_name, "birth_date": "2014-06-01", "residence_region": "420704002",
         "household_region": "420704", "groups": ["child_left_behind"]},
    )  # fmt: skip
    path = f"/persons/{child['person_id']}"
    consent = {"purpose": "data_sharing_with_partners", "given_by": "self",
               "recipient_kind": "child_protection_station", "evidence": EVIDENCE}  # fmt: skip

    by_the_child = running_stack.request("POST", "intake", f"{path}/consents", json=consent)
    assert by_the_child.status_code == 409, by_the_child.text
    assert by_the_child.json()["detail"]["field"] == "given_by"
    assert "须由监护人代为同意" in by_the_child.text
    unknown_purpose = running_stack.request(
        "POST", "intake", f"{path}/consents", json=consent | {"purpose": "marketing"}
    )
    assert unknown_purpose.status_code == 422 and "purpose" in unknown_purpose.text
    assert not check(running_stack, path, "child_protection_station")["allowed"]

    by_guardian = consent | {"given_by": "guardian", "guardian_name": GUARDIAN,
                             "guardian_relation": "祖母", "valid_until": "2099-12-31"}  # fmt: skip
    elsewhere = running_stack.token(Role.STATION_STAFF, region="420703")
    outside = running_stack.request("POST", "intake", f"{path}/consents", json=by_guardian,
                                    headers=running_stack.headers(elsewhere))  # fmt: skip
    assert outside.status_code == 403
    consent_id = running_stack.post("intake", f"{path}/consents", by_guardian)["consent_id"]

    allowed = check(running_stack, path, "child_protection_station")
    assert allowed["allowed"] and allowed["checked_on"] == date.today().isoformat()
    assert [(g["kind"], g["id"]) for g in allowed["grounds"]] == [("consent", consent_id)]
    assert not check(running_stack, path, "police")["allowed"]
    [listed] = running_stack.get("intake", f"{path}/consents").json()
    assert listed["active"] and listed["guardian_name"] == GUARDIAN

    revocation = {"reason": "监护人来电撤回"}
    revoke_path = f"{path}/consents/{consent_id}/revoke"
    revoked = running_stack.request("POST", "intake", revoke_path, json=revocation)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_on"] == date.today().isoformat()
    twice = running_stack.request("POST", "intake", revoke_path, json=revocation)
    assert twice.status_code == 409 and twice.json()["detail"]["field"] == "consent_id"
    missing = f"{path}/consents/{child['person_id']}/revoke"
    assert running_stack.request("POST", "intake", missing, json=revocation).status_code == 404

    assert check(running_stack, path, "child_protection_station") == allowed | {
        "allowed": False, "grounds": []
    }  # fmt: skip
    [listed] = running_stack.get("intake", f"{path}/consents").json()
    assert not listed["active"] and listed["revocation_reason"] == "监护人来电撤回"

    duty = {"basis": "statutory_duty", "law": "《中华人民共和国未成年人保护法》第十一条",
            "purpose": "data_sharing_with_partners", "recipient_kind": "police"}  # fmt: skip
    legal_basis_id = running_stack.post("intake", f"{path}/legal-bases", duty)["legal_basis_id"]
    by_law = check(running_stack, path, "police")
    assert [(g["kind"], g["id"], g["basis"], g["law"]) for g in by_law["grounds"]] == [
        ("legal_basis", legal_basis_id, "statutory_duty", duty["law"])
    ]
    assert not check(running_stack, path, "child_protection_station")["allowed"]

    history = running_stack.get("intake", f"{path}/history").json()
    assert [h["kind"] for h in history] == ["registered", "consent.granted", "consent.revoked"]
    assert history[2]["detail"]["consent_id"] == consent_id

    def published() -> list[dict[str, Any]] | None:
        records = asyncio.run(
            read_topic(running_stack.bootstrap, running_stack.topic("intake.person"))
        )
        mine = [json.loads(r.value) for r in records if r.key == child["person_id"].encode()]
        return mine if len(mine) == len(history) else None

    events = wait_for(published, what="the child's events on intake.person")
    assert [e["type"] for e in events] == ["person.registered", "consent.granted",
                                           "consent.revoked"]  # fmt: skip
    assert [e["id"] for e in events] == [h["event_id"] for h in history]
    granted, withdrawn = events[1]["payload"], events[2]["payload"]
    assert granted == {
        "person_id": child["person_id"], "consent_id": consent_id,
        "purpose": "data_sharing_with_partners", "recipient_kind": "child_protection_station",
        "valid_from": date.today().isoformat(), "valid_until": "2099-12-31",
    }  # fmt: skip
    assert withdrawn == granted | {"revoked_on": date.today().isoformat()}
    on_the_topic = json.dumps(events, ensure_ascii=False)
    for secret in (GUARDIAN, child_name, EVIDENCE, "祖母"):
        assert secret not in on_the_topic, f"{secret} travelled on intake.person"
