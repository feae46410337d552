"""Which of a partner's webhook secrets sign a delivery.

Rotation adds a new secret and gives the old one an expiry (a grace period). Until it
expires, every delivery carries one signature per valid secret (Standard Webhooks lets
``webhook-signature`` hold several, space-separated), so a partner can switch its
verifier to the new secret at any moment of the grace period without losing a delivery.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_GRACE = timedelta(hours=24)
LONGEST_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class WebhookSecret:
    secret: str
    created_at: datetime
    expires_at: datetime | None

    def valid_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


def signing_secrets(secrets: list[WebhookSecret], now: datetime) -> list[str]:
    """The secrets valid at ``now``, newest first."""
    valid = [s for s in secrets if s.valid_at(now)]
    return [s.secret for s in sorted(valid, key=lambda s: s.created_at, reverse=True)]


def expiry_after_rotation(
    current: datetime | None, now: datetime, grace: timedelta
) -> datetime | None:
    """An older secret stays valid for the grace period, never longer than it already was."""
    end_of_grace = now + grace
    return end_of_grace if current is None or current > end_of_grace else current
