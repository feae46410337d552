"""Webhooks signed as the Standard Webhooks specification (v1) says.

``webhook-id`` is the alert's id (the receiver's idempotency key, the same on every
retry), ``webhook-timestamp`` the time of this attempt in Unix seconds, and
``webhook-signature`` one ``v1,<base64 HMAC-SHA256 of id.timestamp.body>`` per valid
secret, space-separated while a rotated-out secret is still in its grace period.
"""

import base64
import json
import time
from collections.abc import Sequence
from datetime import datetime
from secrets import token_bytes

import httpx
from standardwebhooks.webhooks import Webhook

from wushe.notify.domain.delivery import DeliveryResult, Destination, OutgoingAlert


def new_secret() -> str:
    return "whsec_" + base64.b64encode(token_bytes(32)).decode()


def signed_headers(
    secrets: str | Sequence[str], message_id: str, body: str, now: datetime
) -> dict[str, str]:
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    if not keys:
        raise ValueError("signing_secrets: a webhook needs at least one valid secret")
    # The library signs a whole-second timestamp; the header must carry the same one.
    signature = " ".join(Webhook(key).sign(message_id, now, body) for key in keys)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def webhook_body(alert: OutgoingAlert) -> str:
    return json.dumps(alert.body, ensure_ascii=False, separators=(",", ":"))


class WebhookChannel:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(
        self, alert: OutgoingAlert, destination: Destination, now: datetime
    ) -> DeliveryResult:
        body = webhook_body(alert)
        headers = {
            **signed_headers(destination.signing_secrets, alert.alert_id, body, now),
            **alert.trace_headers,
        }
        started = time.perf_counter()
        try:
            response = await self._client.post(
                destination.address, content=body.encode(), headers=headers
            )
        except httpx.HTTPError as error:
            elapsed = (time.perf_counter() - started) * 1000
            return DeliveryResult(False, elapsed, f"{type(error).__name__}: {error}")
        elapsed = (time.perf_counter() - started) * 1000
        if response.is_success:
            return DeliveryResult(True, elapsed, None, response.status_code)
        failure = f"HTTP {response.status_code}: {response.text[:200]}"
        return DeliveryResult(False, elapsed, failure, response.status_code)
