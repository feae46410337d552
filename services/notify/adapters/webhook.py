"""Webhooks signed as the Standard Webhooks specification (v1) says."""

import base64
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class DeliveryResult:
    status_code: int | None
    latency_ms: float
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_headers(secret: str, message_id: str, body: str, now: datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
        "content-type": "application/json",
    }


async def post_webhook(
    client: httpx.AsyncClient,
    url: str,
    secret: str,
    message_id: str,
    payload: dict[str, Any],
    extra_headers: dict[str, str],
) -> DeliveryResult:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    headers = {**signed_headers(secret, message_id, body, datetime.now(UTC)), **extra_headers}
    started = time.perf_counter()
    try:
        response = await client.post(url, content=body.encode(), headers=headers)
    except httpx.HTTPError as error:
        elapsed = (time.perf_counter() - started) * 1000
        return DeliveryResult(None, elapsed, f"{type(error).__name__}: {error}")
    elapsed = (time.perf_counter() - started) * 1000
    failure = None if response.is_success else f"HTTP {response.status_code}: {response.text[:200]}"
    return DeliveryResult(response.status_code, elapsed, failure)
