"""A donation travels charity → notify → the fund managers' webhook; a disbursement
approved by someone other than its requester reaches the charity.fund topic."""

import asyncio
import json

from support.running_stack import RunningStack, count_rows, wait_for
from wushe.cli.topic_reader import read_topic
from wushe.shared.auth import Role


def test_donation_alerts_the_fund_managers(running_stack: RunningStack) -> None:
    fund = running_stack.post(
        "charity",
        "/funds",
        {"name": "鄂城区社区慈善基金", "code": f"EC-{running_stack.backend.upper()}",
         "region_code": "420704", "manager_partner_ids": [running_stack.partner_id]},
    )  # fmt: skip
    fund_id = fund["fund_id"]

    first = running_stack.post(
        "charity", f"/funds/{fund_id}/donations",
        {"amount_fen": 12_345, "channel": "cash", "donor_name": "李四"},
    )  # fmt: skip
    second = running_stack.post(
        "charity", f"/funds/{fund_id}/donations",
        {"amount_fen": 1, "channel": "bank_transfer", "anonymous": True},
    )  # fmt: skip
    assert first["receipt_number"] != second["receipt_number"]
    assert first["receipt_number"].endswith("-000001")

    def both_alerts() -> list[dict[str, object]] | None:
        alerts = running_stack.alerts_for(fund_id)
        return alerts if len(alerts) == 2 else None

    alerts = wait_for(both_alerts, timeout=30, what="two donation alerts")
    amounts = sorted(alert["data"]["amount_fen"] for alert in alerts)
    assert amounts == [1, 12_345]
    assert all(alert["type"] == "donation.received" for alert in alerts)
    assert all(alert["data"]["reason"] == "fund_manager" for alert in alerts)
    assert "李四" not in str(alerts)

    balance = running_stack.get("charity", f"/funds/{fund_id}").json()
    assert balance["balance_fen"] == 12_346
    assert balance["donations"] == 2


def test_funds_are_listed_with_balances_within_the_region(running_stack: RunningStack) -> None:
    code = f"LIST-{running_stack.backend.upper()}"
    fund = running_stack.post(
        "charity", "/funds", {"name": "华容区慈善基金", "code": code, "region_code": "420703"}
    )
    running_stack.post(
        "charity", f"/funds/{fund['fund_id']}/donations", {"amount_fen": 500, "channel": "cash"}
    )
    listed = {f["code"]: f for f in running_stack.get("charity", "/funds").json()}
    assert listed[code]["balance_fen"] == 500 and listed[code]["donations"] == 1
    elsewhere = running_stack.token(region="420704")
    seen = running_stack.request(
        "GET", "charity", "/funds", headers=running_stack.headers(elsewhere)
    )
    assert code not in {f["code"] for f in seen.json()}


def test_a_restricted_donation_reaches_the_person_on_the_fund_topic(
    running_stack: RunningStack,
) -> None:
    """Donation earmarked for a person → disbursement requested by a clerk, refused to the
    same clerk as approver, approved by another → `fund.disbursed` with the person on the
    charity.fund topic, and the money traced from the donation to the person and back."""
    person_id = running_stack.post(
        "intake", "/persons",
        {"full_name": "王秀英", "residence_region": "420704001003", "household_region": "420704",
         "groups": ["child_orphan"],
         "birth_date": "2015-03-02", "sex": "female"},
    )["person_id"]  # fmt: skip
    charity_db = running_stack.database_urls["charity"]
    wait_for(
        lambda: count_rows(charity_db, "SELECT COUNT(*) FROM ledger_persons WHERE person_id = :p "
                           "AND has_file = :yes", p=person_id, yes=True),
        timeout=30, what="charity to learn of the person's ledger file",
    )  # fmt: skip
    fund = running_stack.post(
        "charity", "/funds",
        {"name": "护童成长基金", "code": f"HT-{running_stack.backend.upper()}",
         "region_code": "420704"},
    )  # fmt: skip
    donation = running_stack.post(
        "charity", f"/funds/{fund['fund_id']}/donations",
        {"amount_fen": 80_000, "channel": "bank_transfer", "donor": {"name": "鄂州某公司",
         "kind": "organisation"}, "restriction": {"kind": "group", "target": "child_orphan"}},
    )  # fmt: skip
    clerk = running_stack.headers(running_stack.token(Role.STATION_STAFF))
    requested = running_stack.request(
        "POST", "charity", f"/funds/{fund['fund_id']}/disbursements", headers=clerk,
        json={"amount_fen": 30_000, "purpose": "学费", "person_id": person_id,
              "restriction": {"kind": "group", "target": "child_orphan"}},
    )  # fmt: skip
    assert requested.status_code == 201, requested.text
    disbursement_id = requested.json()["disbursement_id"]
    path = f"/disbursements/{disbursement_id}/approve"
    own = running_stack.request("POST", "charity", path, headers=clerk)
    assert own.status_code == 403 and own.json()["detail"]["field"] == "approver"
    approved = running_stack.request("POST", "charity", path)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    def disbursed() -> list[dict[str, object]] | None:
        records = asyncio.run(
            read_topic(running_stack.bootstrap, running_stack.topic("charity.fund"))
        )
        events = [json.loads(record.value) for record in records]
        found = [e for e in events if e["type"] == "fund.disbursed"
                 and e["payload"]["disbursement_id"] == disbursement_id]  # fmt: skip
        return found or None

    event = wait_for(disbursed, timeout=30, what="fund.disbursed on charity.fund")[0]
    assert event["subject"] == fund["fund_id"]
    assert event["payload"]["person_id"] == person_id
    assert event["payload"]["amount_fen"] == 30_000
    assert event["payload"]["sources"] == [
        {"donation_id": donation["donation_id"], "amount_fen": 30_000}
    ]
    assert "鄂州某公司" not in json.dumps(event)
    trail = running_stack.get("charity", f"/donations/{donation['donation_id']}/trail").json()
    assert [(t["person_id"], t["amount_fen"]) for t in trail] == [(person_id, 30_000)]
    paid_by = running_stack.get("charity", f"/persons/{person_id}/donation-sources").json()
    assert [t["donation_id"] for t in paid_by] == [donation["donation_id"]]
    assert running_stack.get("charity", f"/funds/{fund['fund_id']}").json()["balance_fen"] == 50_000
