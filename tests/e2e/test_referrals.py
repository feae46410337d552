"""A referral's whole loop through the running services: refused until the person's
consent covers the partner's kind, sent once intake records it, accepted by the
partner's own token and completed; declined with a reason and re-sent to another
partner; refused again once the consent is revoked. The texts about the person never
travel in clear on the topic."""

import asyncio
import json
from typing import Any

import httpx

from support.running_stack import REGION, RunningStack, wait_for
from wushe.cli.topic_reader import read_topic
from wushe.shared.auth import Role, mint_token

REASON = "独居老人两周内跌倒两次，右髋疼痛，需骨科评估与康复指导"
OUTCOME = "已完成骨科门诊评估，安排每周两次上门康复训练"
DECLINED = "本院康复科床位已满，建议转介区中医院"
CONSENT = {"purpose": "data_sharing_with_partners", "recipient_kind": "hospital",
           "given_by": "self", "evidence": "知情同意书 编号 ZY-2026-0077"}  # fmt: skip


def register_partner(stack: RunningStack, name: str) -> tuple[str, dict[str, str]]:
    body = {"name": f"{name}-{stack.backend}", "kind": "hospital", "regions": [REGION],
            "webhook_url": stack.receiver_url}  # fmt: skip
    partner_id: str = stack.post("notify", "/partners", body)["partner_id"]
    token = mint_token(stack.settings, subject=partner_id, role=Role.PARTNER, region=REGION)
    return partner_id, stack.headers(token)


def referral(person_id: str, partner_id: str, **extra: Any) -> dict[str, Any]:
    return {"person_id": person_id, "partner_id": partner_id, "partner_kind": "hospital",
            "urgency": "urgent", "reason": REASON, **extra}  # fmt: skip


def call(
    stack: RunningStack, path: str, body: dict[str, Any] | None = None, **kwargs: Any
) -> httpx.Response:
    return stack.request("POST", "ledger", path, json=body or {}, **kwargs)


def sent_once_allowed(stack: RunningStack, body: dict[str, Any]) -> dict[str, Any]:
    """The referral, sent as soon as the ledger has learnt of the consent."""

    def attempt() -> dict[str, Any] | None:
        response = call(stack, "/referrals", body)
        if response.status_code == 409 and response.json()["detail"]["field"] == "consent":
            return None
        assert response.status_code == 201, response.text
        sent: dict[str, Any] = response.json()
        return sent

    return wait_for(attempt, timeout=30, what="the ledger to learn of the consent")


def test_a_referral_goes_round_the_whole_loop(running_stack: RunningStack) -> None:
    stack = running_stack
    person = stack.post("intake", "/persons", {
        "full_name": f"冯桂兰{stack.backend}", "birth_date": "1946-05-04", "sex": "female",
        "residence_region": "420704001003", "household_region": "420704",
        "groups": ["elderly_living_alone"],
    })["person_id"]  # fmt: skip
    wait_for(lambda: stack.found("ledger", f"/files/{person}"), what="the person's file")
    orthopaedics, as_orthopaedics = register_partner(stack, "鄂州市中心医院")
    rehabilitation, as_rehabilitation = register_partner(stack, "鄂城区康复医院")

    refused = call(stack, "/referrals", referral(person, orthopaedics))
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert detail["field"] == "consent"
    assert "data_sharing_with_partners" in detail["message"] and "hospital" in detail["message"]

    consent = stack.post("intake", f"/persons/{person}/consents", CONSENT)
    sent = sent_once_allowed(stack, referral(person, orthopaedics))
    path = f"/referrals/{sent['referral_id']}"
    assert sent["status"] == "sent" and sent["reason"] == REASON
    assert sent["deadline"]["kind"] == "response" and sent["overdue"] is False
    assert sent["next_moves"] == ["accept", "decline", "withdraw"]

    assert call(stack, f"{path}/acceptance", headers=as_rehabilitation).status_code == 403
    assert call(stack, f"{path}/acceptance").status_code == 403  # staff do not answer
    assert stack.request("GET", "ledger", path, headers=as_rehabilitation).status_code == 403
    mine = stack.request("GET", "ledger", "/referrals", headers=as_orthopaedics).json()
    assert [item["reason"] for item in mine["items"]] == [REASON]
    others = stack.request("GET", "ledger", "/referrals", headers=as_rehabilitation).json()
    assert others["total"] == 0
    auditor = stack.headers(stack.token(Role.AUDITOR))
    assert stack.request("GET", "ledger", path, headers=auditor).json()["reason"] is None

    accepted = call(stack, f"{path}/acceptance", headers=as_orthopaedics)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["deadline"]["kind"] == "completion"
    again = call(stack, f"{path}/acceptance", headers=as_orthopaedics)
    assert again.status_code == 409 and again.json()["detail"] == {
        "message": "referral is accepted; only a sent referral can be accepted", "field": "status"
    }  # fmt: skip
    done = call(stack, f"{path}/completion", {"outcome": OUTCOME}, headers=as_orthopaedics)
    assert done.status_code == 200, done.text
    loop = stack.found("ledger", path)
    assert loop["status"] == "done" and loop["outcome"] == OUTCOME and loop["deadline"] is None
    assert [step["event_type"] for step in loop["history"]] == [
        "referral.sent", "referral.accepted", "referral.completed"
    ]  # fmt: skip
    assert [step["actor"] for step in loop["history"]] == [
        "test-admin", orthopaedics, orthopaedics
    ]  # fmt: skip

    second = call(stack, "/referrals", referral(person, rehabilitation)).json()
    second_path = f"/referrals/{second['referral_id']}"
    no_reason = call(stack, f"{second_path}/decline", {}, headers=as_rehabilitation)
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    declined = call(stack, f"{second_path}/decline", {"reason": DECLINED},
                    headers=as_rehabilitation)  # fmt: skip
    assert declined.status_code == 200 and declined.json()["decline_reason"] == DECLINED
    late_yes = call(stack, f"{second_path}/acceptance", headers=as_rehabilitation)
    assert late_yes.json()["detail"]["message"] == (
        "referral is declined; only a sent referral can be accepted"
    )
    back = referral(person, rehabilitation, resends=second["referral_id"])
    same_partner = call(stack, "/referrals", back)
    assert same_partner.status_code == 409
    assert same_partner.json()["detail"]["field"] == "partner_id"
    resent = call(stack, "/referrals",
                  referral(person, orthopaedics, resends=second["referral_id"]))  # fmt: skip
    assert resent.status_code == 201, resent.text
    assert resent.json()["resends"] == second["referral_id"]
    assert stack.found("ledger", second_path)["resent_as"] == resent.json()["referral_id"]

    revoked = stack.request("POST", "intake",
                            f"/persons/{person}/consents/{consent['consent_id']}/revoke",
                            json={"reason": "本人来电撤回"})  # fmt: skip
    assert revoked.status_code == 200, revoked.text

    def refused_again() -> bool:
        response = call(stack, "/referrals", referral(person, rehabilitation))
        assert response.status_code in (201, 409), response.text
        if response.status_code == 201:  # the revocation had not arrived yet: take it back
            withdrawn = call(stack, f"/referrals/{response.json()['referral_id']}/withdrawal",
                             {"reason": "同意已撤回"})  # fmt: skip
            assert withdrawn.status_code == 200, withdrawn.text
            return False
        return bool(response.json()["detail"]["field"] == "consent")

    wait_for(refused_again, timeout=30, what="the revocation to refuse a new referral")

    listed = stack.get("ledger", f"/referrals?person_id={person}&status=done").json()
    assert [item["referral_id"] for item in listed["items"]] == [sent["referral_id"]]
    every = stack.get("ledger", f"/referrals?person_id={person}").json()["items"]
    steps = sum(len(item["history"]) for item in every)
    timeline = stack.found("ledger", f"/files/{person}/timeline")
    assert "referral.completed" in [entry["event_type"] for entry in timeline["items"]]

    def published() -> list[dict[str, Any]] | None:
        records = asyncio.run(read_topic(stack.bootstrap, stack.topic("ledger.file")))
        mine = [json.loads(r.value) for r in records if r.key == person.encode()]
        referrals = [event for event in mine if event["type"].startswith("referral.")]
        return referrals if len(referrals) == steps else None

    events = wait_for(published, timeout=30, what="the referral events on ledger.file")
    on_the_topic = json.dumps(events, ensure_ascii=False)
    for text in (REASON, OUTCOME, DECLINED):
        assert text not in on_the_topic, f"{text} travelled in clear"
    assert {event["type"] for event in events} >= {
        "referral.sent", "referral.accepted", "referral.completed", "referral.declined"
    }  # fmt: skip
