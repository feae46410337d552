"""The verification recipes in docs/webhooks.md, run as partners would run them, accept
notify's deliveries and refuse a wrong signature, a tampered body and a stale timestamp."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from wushe.notify.adapters.webhook import new_secret, signed_headers, webhook_body
from wushe.notify.domain.delivery import OutgoingAlert

DOC = Path(__file__).parents[2] / "docs" / "webhooks.md"


def recipe(name: str) -> dict[str, Any]:
    blocks = re.findall(r"```python\n# recipe: ([^\n]+)\n(.*?)```", DOC.read_text(), re.S)
    code = {title: body for title, body in blocks}
    assert name in code, f"docs/webhooks.md has no recipe {name!r}; it has {list(code)}"
    namespace: dict[str, Any] = {}
    exec(compile(code[name], f"{DOC}:{name}", "exec"), namespace)
    return namespace


def delivery(secrets: list[str], sent_at: datetime) -> tuple[dict[str, str], bytes]:
    alert = OutgoingAlert("01JALERT", "need.posted", {"type": "need.posted", "data": {"n": "一"}})
    body = webhook_body(alert)
    return signed_headers(secrets, alert.alert_id, body, sent_at), body.encode()


def test_the_library_recipe_accepts_ours_and_refuses_forgeries() -> None:
    library = recipe("standardwebhooks")
    secret = new_secret()
    headers, body = delivery([secret], datetime.now(UTC))
    assert library["verify_with_library"](secret, headers, body)["data"] == {"n": "一"}
    with pytest.raises(WebhookVerificationError):
        library["verify_with_library"](new_secret(), headers, body)
    stale_headers, stale_body = delivery([secret], datetime.now(UTC) - timedelta(minutes=6))
    with pytest.raises(WebhookVerificationError):
        library["verify_with_library"](secret, stale_headers, stale_body)


def test_the_library_recipe_handles_a_retry_once() -> None:
    handle = recipe("standardwebhooks")["handle"]
    secret, seen = new_secret(), set[str]()
    headers, body = delivery([secret], datetime.now(UTC))
    assert [handle(secret, headers, body, seen) for _ in range(2)] == [204, 204]
    assert seen == {"01JALERT"}
    assert handle(new_secret(), headers, body, seen) == 401


def test_the_plain_hmac_recipe_accepts_ours_and_refuses_forgeries() -> None:
    plain = recipe("plain hmac")
    verify, invalid = plain["verify_signature"], plain["InvalidDelivery"]
    secret = new_secret()
    sent_at = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    headers, body = delivery([secret], sent_at)
    verify(secret, headers, body, now=sent_at.timestamp() + 299)
    with pytest.raises(invalid, match="signature"):
        verify(new_secret(), headers, body, now=sent_at.timestamp())
    with pytest.raises(invalid, match="signature"):
        verify(secret, headers, body.replace("一".encode(), "二".encode()), now=sent_at.timestamp())
    with pytest.raises(invalid, match="five minutes"):
        verify(secret, headers, body, now=sent_at.timestamp() + 301)
    with pytest.raises(invalid, match="webhook-signature"):
        verify(secret, {k: v for k, v in headers.items() if k != "webhook-signature"}, body)


def test_both_recipes_accept_either_secret_during_a_rotation() -> None:
    old, new = new_secret(), new_secret()
    now = datetime.now(UTC)
    headers, body = delivery([new, old], now)
    for secret in (old, new):
        recipe("standardwebhooks")["verify_with_library"](secret, headers, body)
        recipe("plain hmac")["verify_signature"](secret, headers, body, now=now.timestamp())
