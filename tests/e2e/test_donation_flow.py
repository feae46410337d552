"""A donation travels charity → notify → the fund managers' webhook."""

from support.running_stack import RunningStack, wait_for


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
