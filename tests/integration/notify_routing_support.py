"""Helpers for notify's routing tests: partners of each kind, agreements, consents and
events routed through the real router on a migrated database, with a clock to move."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

import wushe.notify
from integration.conftest import Sessions
from wushe.notify.adapters.orm import AlertRecord, PartnerRecord, SubscriptionRecord
from wushe.notify.adapters.sharing_orm import (
    PartnerProfileRecord,
    SharingAgreementRecord,
    SharingLedgerRecord,
)
from wushe.notify.domain.field_policy import NON_PERSONAL_FIELDS, open_sealed
from wushe.notify.service_layer.projections import record_consent
from wushe.notify.service_layer.routing import Router
from wushe.notify.service_layer.sweeps import Sweeper
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.consent import (
    ConsentGranted,
    ConsentRevoked,
    ProcessingPurpose,
    RecipientKind,
)
from wushe.shared.events.referrals import StatutoryGround
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

MIGRATIONS = Path(wushe.notify.__file__).parent / "migrations"
LEDGER = Producer(service="ledger", deployment="test")
INTAKE = Producer(service="intake", deployment="test")
VILLAGE = "420704001003"
# Fields every alert carries whatever the agreement: they say nothing about a person.
ENVELOPE_FIELDS = frozenset(
    {"alert_id", "event_id", "reason", "rule", "subject", "region_code", "correlation_id",
     "repeats", "escalation_of"}
)  # fmt: skip


@dataclass
class Clock:
    moment: datetime = field(default_factory=lambda: datetime(2026, 11, 24, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class Notify:
    sessions: Sessions
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        self.cipher = Settings().field_cipher()
        self.router = Router(self.cipher, self.clock)
        self.sweeper = Sweeper(self.sessions, self.router)

    async def partner(self, kind: str, regions: list[str] | None = None, **profile: Any) -> str:
        partner_id = str(uuid.uuid4())
        async with self.sessions() as session, session.begin():
            session.add(PartnerRecord(
                id=partner_id, name=f"{kind} {partner_id[:6]}", kind=kind,
                regions=regions or ["420704"], webhook_url="http://127.0.0.1:9/hooks",
                created_at=self.clock(),
            ))  # fmt: skip
            if profile:
                await session.flush()
                session.add(PartnerProfileRecord(partner_id=partner_id, **profile))
        return partner_id

    async def subscription(self, partner_id: str, event_type: str, region_code: str) -> str:
        subscription_id = str(uuid.uuid4())
        async with self.sessions() as session, session.begin():
            session.add(SubscriptionRecord(
                id=subscription_id, partner_id=partner_id, event_type=event_type,
                region_code=region_code,
            ))  # fmt: skip
        return subscription_id

    async def agreement(
        self,
        partner_id: str,
        event_types: list[str],
        fields: list[str],
        purpose: ProcessingPurpose = ProcessingPurpose.DATA_SHARING_WITH_PARTNERS,
        statutory_ground: StatutoryGround | None = None,
    ) -> str:
        agreement_id = str(uuid.uuid4())
        async with self.sessions() as session, session.begin():
            session.add(SharingAgreementRecord(
                id=agreement_id, partner_id=partner_id, reference="鄂民〔2026〕12号",
                purpose=purpose.value, event_types=event_types, fields=fields,
                valid_from=date(2026, 1, 1), valid_until=None, created_at=self.clock(),
                statutory_ground=statutory_ground.value if statutory_ground else None,
                statutory_note="《未成年人保护法》第十一条" if statutory_ground else None,
            ))  # fmt: skip
        return agreement_id

    async def consent(
        self,
        person_id: str,
        recipient: RecipientKind,
        purpose: ProcessingPurpose = ProcessingPurpose.DATA_SHARING_WITH_PARTNERS,
        revoked_on: date | None = None,
        consent_id: str | None = None,
    ) -> str:
        consent_id = consent_id or str(uuid.uuid4())
        facts = {"person_id": person_id, "consent_id": consent_id, "purpose": purpose,
                 "recipient_kind": recipient, "valid_from": date(2026, 1, 1)}  # fmt: skip
        payload: BaseModel = (
            ConsentRevoked(**facts, revoked_on=revoked_on)
            if revoked_on
            else ConsentGranted(**facts)
        )
        event = new_event(payload, subject=person_id, region_code=VILLAGE, producer=INTAKE)
        await record_consent(UnitOfWork(self.sessions), event)
        return consent_id

    async def route(
        self, payload: BaseModel, subject: str, region: str = VILLAGE, producer: Producer = LEDGER
    ) -> EventEnvelope:
        event = new_event(payload, subject=subject, region_code=region, producer=producer)
        await self.router.route(UnitOfWork(self.sessions), event)
        return event

    async def alerts(self, partner_id: str | None = None) -> list[AlertRecord]:
        query = select(AlertRecord).order_by(AlertRecord.created_at, AlertRecord.id)
        if partner_id:
            query = query.where(AlertRecord.partner_id == partner_id)
        async with self.sessions() as session:
            return list(await session.scalars(query))

    async def bodies(self, partner_id: str) -> list[dict[str, Any]]:
        """The partner's alerts as they go out, sealed fields opened."""
        return [open_sealed(body, self.cipher) for body in await self.stored_bodies(partner_id)]

    async def stored_bodies(self, partner_id: str) -> list[dict[str, Any]]:
        return [alert.body for alert in await self.alerts(partner_id)]

    async def ledger_lines(self, person: str) -> list[SharingLedgerRecord]:
        """The sharing ledger's lines about the person, in the order they were written."""
        query = (
            select(SharingLedgerRecord)
            .where(SharingLedgerRecord.person_id == person)
            .order_by(SharingLedgerRecord.id)
        )
        async with self.sessions() as session:
            return list(await session.scalars(query))


def fields_beyond(body: dict[str, Any], allowed: set[str]) -> set[str]:
    """The fields of an alert (or of each item of a digest) that neither say nothing
    about a person nor are ``allowed`` by the partner's agreement."""
    items = body["data"].get("items") or [{"type": body["type"], "data": body["data"]}]
    beyond: set[str] = set()
    for item in items:
        public = NON_PERSONAL_FIELDS.get(item["type"], frozenset())
        beyond |= set(item["data"]) - ENVELOPE_FIELDS - public - allowed
    return beyond
