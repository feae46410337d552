"""Seeds a demo partner whose webhook points at the local demo receiver."""

import httpx

DEMO_PARTNER_NAME = "演示合作伙伴 Demo partner"
DEMO_FUND_CODE = "DEMO-CF"


def demo_fund_id(charity_url: str, token: str) -> str | None:
    response = httpx.get(
        f"{charity_url}/funds", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    response.raise_for_status()
    return next((f["fund_id"] for f in response.json() if f["code"] == DEMO_FUND_CODE), None)


def seed_demo_partner(
    notify_url: str, charity_url: str, token: str, receiver_url: str, region: str
) -> tuple[str, str]:
    """Create (once) the demo partner, its subscriptions and a demo fund it manages.

    Returns the partner id and its webhook secret (empty when it already existed).
    """
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(headers=headers, timeout=10) as client:
        for partner in client.get(f"{notify_url}/partners").raise_for_status().json():
            if partner["name"] == DEMO_PARTNER_NAME:
                return partner["partner_id"], ""
        created = client.post(
            f"{notify_url}/partners",
            json={"name": DEMO_PARTNER_NAME, "kind": "station", "regions": [region],
                  "webhook_url": receiver_url},
        ).raise_for_status().json()  # fmt: skip
        partner_id = created["partner_id"]
        for event_type in ("ledger.file_opened", "donation.received"):
            client.post(
                f"{notify_url}/partners/{partner_id}/subscriptions",
                json={"event_type": event_type, "region_code": region},
            ).raise_for_status()
        client.post(
            f"{charity_url}/funds",
            json={"name": "演示社区慈善基金 Demo community fund", "code": DEMO_FUND_CODE,
                  "region_code": region, "manager_partner_ids": [partner_id]},
        )  # fmt: skip
        return partner_id, created["webhook_secret"]
