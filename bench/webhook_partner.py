"""The partner the benchmarks deliver to: a station of one region whose webhook is a local
receiver, subscribed to `ledger.file_opened`."""

from typing import Any

import httpx


def add_subscribed_partner(api: httpx.Client, receiver_url: str, region: str) -> dict[str, Any]:
    """Created through notify's API (``api``); returns the partner, with its signing secret."""
    partner: dict[str, Any] = api.post("/partners", json={
        "name": "bench partner", "kind": "station", "regions": [region],
        "webhook_url": receiver_url + "/hooks",
    }).raise_for_status().json()  # fmt: skip
    api.post(
        f"/partners/{partner['partner_id']}/subscriptions",
        json={"event_type": "ledger.file_opened", "region_code": region},
    ).raise_for_status()
    return partner
