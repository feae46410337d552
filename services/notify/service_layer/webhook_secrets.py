"""Partners' webhook secrets: issued sealed, rotated with a grace period, opened to sign.

Secrets are stored only sealed by the field cipher (AES-GCM bound to their column); the
clear secret is shown once, to the admin who registers the partner or rotates it.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.notify.adapters.orm import PartnerSecretRecord
from wushe.notify.adapters.timestamps import as_utc
from wushe.notify.adapters.webhook import new_secret
from wushe.notify.domain.webhook_secrets import (
    WebhookSecret,
    expiry_after_rotation,
    signing_secrets,
)
from wushe.shared.field_encryption import FieldCipher

SECRET_COLUMN = "partner_secrets.sealed_secret"


def issue_secret(session: AsyncSession, cipher: FieldCipher, partner_id: str, now: datetime) -> str:
    """Add a new secret for the partner (in the caller's transaction); returns it in clear."""
    secret = new_secret()
    session.add(
        PartnerSecretRecord(
            id=str(uuid7()),
            partner_id=partner_id,
            sealed_secret=cipher.encrypt(secret, SECRET_COLUMN),
            created_at=now,
            expires_at=None,
        )
    )
    return secret


async def rotate_secret(
    session: AsyncSession,
    cipher: FieldCipher,
    partner_id: str,
    now: datetime,
    grace: timedelta,
) -> tuple[str, datetime]:
    """A new secret; the ones still valid sign alongside it until ``now + grace``."""
    current = await session.scalars(
        select(PartnerSecretRecord).where(PartnerSecretRecord.partner_id == partner_id)
    )
    for record in current:
        expires = as_utc(record.expires_at)
        if expires is None or expires > now:
            record.expires_at = expiry_after_rotation(expires, now, grace)
    return issue_secret(session, cipher, partner_id, now), now + grace


async def secrets_for_signing(
    session: AsyncSession, cipher: FieldCipher, partner_ids: Iterable[str], now: datetime
) -> dict[str, tuple[str, ...]]:
    """Each partner's valid secrets at ``now``, newest first."""
    records = await session.scalars(
        select(PartnerSecretRecord).where(PartnerSecretRecord.partner_id.in_(set(partner_ids)))
    )
    by_partner: dict[str, list[WebhookSecret]] = defaultdict(list)
    for record in records:
        by_partner[record.partner_id].append(
            WebhookSecret(
                secret=cipher.decrypt(record.sealed_secret, SECRET_COLUMN),
                created_at=as_utc(record.created_at),
                expires_at=as_utc(record.expires_at),
            )
        )
    return {partner: tuple(signing_secrets(found, now)) for partner, found in by_partner.items()}
