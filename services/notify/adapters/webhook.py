"""Webhooks signed as the Standard Webhooks specification (v1) says.

``webhook-id`` is the alert's id (the receiver's idempotency key, the same on every
retry), ``webhook-timestamp`` the time of this attempt in Unix seconds, and
``webhook-signature`` one ``v1,<base64 HMAC-SHA256 of id.timestamp.body>`` per valid
secret, space-separated while a rotated-out secret is still in its grace period.
"""

import base64
import functools
import json
import time
import urllib.request
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from secrets import token_bytes
from urllib.parse import urlsplit

import aiohttp
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
    signature = " ".join(_signer(key).sign(message_id, now, body) for key in keys)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


@functools.lru_cache(maxsize=1024)
def _signer(secret: str) -> Webhook:
    # Building one decodes the secret: once per secret, not once per delivery.
    return Webhook(secret)


def webhook_body(alert: OutgoingAlert) -> str:
    return json.dumps(alert.body, ensure_ascii=False, separators=(",", ":"))


@asynccontextmanager
async def http_session(
    timeout_seconds: float, max_connections: int
) -> AsyncIterator[aiohttp.ClientSession]:
    """One client for every webhook: connections kept alive (HTTP/1.1) and reused.

    aiohttp rather than httpx: under the delivery bench httpx's connection pool took
    about ten times aiohttp's CPU per request (bench/notify_delivery.py). Not with
    ``trust_env``: aiohttp would read the proxy variables and ``.netrc`` again on every
    request, a tenth of the delivery loop's CPU; ``WebhookProxies`` reads the proxy
    variables once.
    """
    connector = aiohttp.TCPConnector(limit=max_connections, limit_per_host=0)
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout_seconds),
    ) as session:
        yield session


class WebhookProxies:
    """The proxy a webhook goes through, if any: ``HTTPS_PROXY`` or ``HTTP_PROXY`` by the
    URL's scheme, unless ``NO_PROXY`` names its host, as the environment set them when
    notify started (a network whose egress goes through a proxy). Decided once per
    partner URL."""

    def __init__(self, variables: Mapping[str, str] | None = None) -> None:
        self._proxies = dict(
            urllib.request.getproxies_environment() if variables is None else variables
        )
        self._decided: dict[str, str | None] = {}

    def for_url(self, url: str) -> str | None:
        if url not in self._decided:
            parts = urlsplit(url)
            proxy = self._proxies.get(parts.scheme)
            # The standard library's own NO_PROXY matching, which typeshed leaves out.
            bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
            if proxy and bypass(parts.hostname or "", self._proxies):
                proxy = None
            self._decided[url] = proxy
        return self._decided[url]


class WebhookChannel:
    def __init__(self, session: aiohttp.ClientSession, proxies: WebhookProxies) -> None:
        self._session = session
        self._proxies = proxies

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
            async with self._session.post(
                destination.address,
                data=body.encode(),
                headers=headers,
                allow_redirects=False,
                proxy=self._proxies.for_url(destination.address),
            ) as response:
                answer = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            elapsed = (time.perf_counter() - started) * 1000
            return DeliveryResult(False, elapsed, f"{type(error).__name__}: {error}")
        elapsed = (time.perf_counter() - started) * 1000
        if 200 <= response.status < 300:
            return DeliveryResult(True, elapsed, None, response.status)
        failure = f"HTTP {response.status}: {answer[:200].decode(errors='replace')}"
        return DeliveryResult(False, elapsed, failure, response.status)
