"""Webhooks through the proxy the environment names (``HTTPS_PROXY``, ``HTTP_PROXY``,
``NO_PROXY``), for a network whose egress to partners goes through one."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from support.webhook_receivers import Receiver, start
from wushe.notify.adapters.webhook import (
    WebhookChannel,
    WebhookProxies,
    http_session,
    new_secret,
)
from wushe.notify.domain.delivery import Channel, Destination, OutgoingAlert


@pytest.fixture
def proxy() -> Iterator[Receiver]:
    """Stands for the egress proxy: answers what it is asked to carry, noting the target."""
    started = start(Receiver())
    yield started
    started.stop()


def test_the_proxy_follows_the_scheme_and_no_proxy() -> None:
    proxies = WebhookProxies({"https": "http://egress:3128", "no": "localhost,.station.internal"})
    assert proxies.for_url("https://partner.example/hooks") == "http://egress:3128"
    assert proxies.for_url("https://desk.station.internal/hooks") is None
    assert proxies.for_url("http://partner.example/hooks") is None


def test_the_proxy_variables_are_those_of_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://egress:8080")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    proxies = WebhookProxies()
    assert proxies.for_url("http://partner.example/hooks") == "http://egress:8080"
    assert proxies.for_url("http://127.0.0.1:9000/hooks") is None


async def test_a_webhook_reaches_through_the_proxy_a_partner_only_the_proxy_can_reach(
    proxy: Receiver,
) -> None:
    secret = new_secret()
    proxy.secrets.append(secret)
    # A name that resolves nowhere (RFC 6761): the alert arrives only if the proxy took it.
    destination = Destination(Channel.WEBHOOK, "http://partner.invalid/hooks", (secret,))
    alert = OutgoingAlert("alert-1", "ledger.file_opened", {"person": "p-1"})
    proxy_url = proxy.url.removesuffix("/hooks")
    async with http_session(timeout_seconds=5, max_connections=4) as session:
        direct = await WebhookChannel(session, WebhookProxies({})).send(
            alert, destination, datetime.now(UTC)
        )
        proxied = await WebhookChannel(session, WebhookProxies({"http": proxy_url})).send(
            alert, destination, datetime.now(UTC)
        )
    assert not direct.ok
    assert proxied.ok, proxied.error
    assert proxy.targets == ["http://partner.invalid/hooks"]
    assert proxy.requests[0]["host"] == "partner.invalid"
    assert list(proxy.accepted) == ["alert-1"]
