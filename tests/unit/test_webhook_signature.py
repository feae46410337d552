"""The verification recipe partners use (README) accepts our signatures, refuses others."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from wushe.notify.adapters.webhook import new_secret, signed_headers


def test_signed_delivery_verifies() -> None:
    secret = new_secret()
    body = json.dumps({"type": "ledger.file_opened", "data": {"subject": "x"}})
    headers = signed_headers(secret, "alert-1", body, datetime.now(UTC))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(body, headers)["data"]["subject"] == "x"


def test_wrong_signature_is_rejected() -> None:
    body = json.dumps({"type": "ledger.file_opened"})
    headers = signed_headers(new_secret(), "alert-1", body, datetime.now(UTC))
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)


def test_tampered_body_is_rejected() -> None:
    secret = new_secret()
    headers = signed_headers(secret, "alert-1", '{"amount_fen":1}', datetime.now(UTC))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify('{"amount_fen":1000}', headers)


def test_replayed_old_delivery_is_rejected() -> None:
    secret = new_secret()
    body = "{}"
    headers = signed_headers(secret, "alert-1", body, datetime.now(UTC) - timedelta(minutes=6))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)
