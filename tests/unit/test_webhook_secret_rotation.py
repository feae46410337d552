"""During a rotation's grace period both secrets sign; after it, only the new one."""

from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from wushe.notify.adapters.webhook import new_secret, signed_headers
from wushe.notify.domain.webhook_secrets import (
    WebhookSecret,
    expiry_after_rotation,
    signing_secrets,
)

ROTATED = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)


def rotated_pair() -> tuple[WebhookSecret, WebhookSecret]:
    old = WebhookSecret(new_secret(), ROTATED - timedelta(days=90), ROTATED + GRACE)
    new = WebhookSecret(new_secret(), ROTATED, None)
    return old, new


def test_both_secrets_sign_during_the_grace_period_and_either_verifies() -> None:
    old, new = rotated_pair()
    keys = signing_secrets([old, new], ROTATED + timedelta(hours=23))
    assert keys == [new.secret, old.secret]
    now = datetime.now(UTC)
    headers = signed_headers(keys, "alert-1", "{}", now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old.secret, new.secret):
        Webhook(secret).verify("{}", headers)


def test_after_the_grace_period_only_the_new_secret_verifies() -> None:
    old, new = rotated_pair()
    keys = signing_secrets([old, new], ROTATED + GRACE)
    assert keys == [new.secret]
    headers = signed_headers(keys, "alert-1", "{}", datetime.now(UTC))
    Webhook(new.secret).verify("{}", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old.secret).verify("{}", headers)


def test_a_second_rotation_never_lengthens_an_old_secrets_life() -> None:
    soon = ROTATED + timedelta(hours=1)
    assert expiry_after_rotation(soon, ROTATED, GRACE) == soon
    assert expiry_after_rotation(None, ROTATED, GRACE) == ROTATED + GRACE


def test_signing_without_a_valid_secret_names_the_field() -> None:
    with pytest.raises(ValueError, match="signing_secrets"):
        signed_headers([], "alert-1", "{}", ROTATED)
