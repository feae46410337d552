"""Helpers for notify's delivery tests: a partner with a sealed secret, alerts waiting
for delivery, and a clock the test moves."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import wushe.notify
from wushe.notify.adapters.orm import AlertRecord, PartnerRecord
from wushe.notify.service_layer.webhook_secrets import issue_secret
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.settings import Settings

Sessions = async_sessionmaker[AsyncSession]
# The same folder as bootstrap.MIGRATIONS, without importing the whole service.
MIGRATIONS = Path(wushe.notify.__file__).parent / "migrations"


def cipher() -> FieldCipher:
    return Settings().field_cipher()


@dataclass
class Clock:
    moment: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


async def add_partner(sessions: Sessions, url: str, region: str = "420704") -> tuple[str, str]:
    """A partner's id and its webhook secret in clear."""
    partner_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        session.add(PartnerRecord(id=partner_id, name=f"partner {partner_id[:6]}",
                                  kind="station", regions=[region], webhook_url=url,
                                  created_at=now))  # fmt: skip
        await session.flush()
        secret = issue_secret(session, cipher(), partner_id, now)
    return partner_id, secret


async def add_alert(
    sessions: Sessions,
    partner_id: str,
    *,
    subject: str = "person-1",
    event_type: str = "need.posted",
    region: str = "420704",
    created_at: datetime | None = None,
) -> str:
    alert_id = str(uuid.uuid4())
    event_id = str(uuid.uuid4())
    now = created_at or datetime.now(UTC)
    async with sessions() as session, session.begin():
        session.add(
            AlertRecord(
                id=alert_id,
                idempotency_key=f"{event_id}:{partner_id}",
                partner_id=partner_id,
                event_id=event_id,
                event_type=event_type,
                subject=subject,
                region_code=region,
                body={"type": event_type, "data": {"alert_id": alert_id, "subject": subject}},
                trace_headers={},
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return alert_id


async def alert(sessions: Sessions, alert_id: str) -> AlertRecord:
    async with sessions() as session:
        found = await session.get(AlertRecord, alert_id)
    assert found is not None
    return found
