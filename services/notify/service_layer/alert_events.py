"""What notify tells the platform about the alerts it sends about a person: each alert
raised and each acknowledgement, written to notify's outbox in the transaction that
makes them, so the ledger can put them on the person's timeline.

The events name the partner's kind, the channels and the names of the fields shared;
the partner's contacts and the fields' values stay in notify.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import event as orm_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from wushe.notify.adapters.orm import AlertRecord, PartnerRecord
from wushe.notify.adapters.pending_rows import add_row
from wushe.notify.adapters.sharing_orm import PartnerProfileRecord, SharingLedgerRecord
from wushe.notify.service_layer.channels import destinations_of
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.notify import AlertAcknowledged, AlertChannel, AlertDelivery, AlertRaised
from wushe.shared.events.partner_kinds import PartnerKind
from wushe.shared.messaging_tables import outbox
from wushe.shared.outbox import outbox_row
from wushe.shared.runtime import ServiceRuntime

_LISTENING = "notify.alert_events.listening"
_WAKE_DUE = "notify.alert_events.wake_due"


def channels_of(partner: PartnerRecord, profile: PartnerProfileRecord | None) -> list[AlertChannel]:
    return [destination.channel for destination in destinations_of(partner, profile, ())]


@dataclass(frozen=True)
class RaisedAlert:
    """An alert just made about a person, as routing knows it."""

    alert_id: str
    person_id: str
    rule: str
    reason: str
    urgent: bool
    delivery: AlertDelivery
    send_at: datetime | None
    fields_shared: list[str]
    escalation_of: str | None


@dataclass(frozen=True)
class AlertEvents:
    producer: Producer
    topic_prefix: str = ""
    wake_relay: Callable[[], None] | None = None

    @classmethod
    def of(cls, runtime: ServiceRuntime) -> "AlertEvents":
        return cls(runtime.producer, runtime.settings.topic_prefix, runtime.relay.wake)

    async def raised(
        self,
        session: AsyncSession,
        cause: EventEnvelope,
        partner: PartnerRecord,
        profile: PartnerProfileRecord | None,
        alert: RaisedAlert,
    ) -> None:
        payload = AlertRaised(
            alert_id=UUID(alert.alert_id),
            person_id=UUID(alert.person_id),
            rule=alert.rule,
            reason=alert.reason,
            event_type=cause.type,
            event_id=cause.id,
            partner_kind=PartnerKind(partner.kind),
            channels=channels_of(partner, profile),
            delivery=alert.delivery,
            send_at=alert.send_at,
            urgent=alert.urgent,
            fields_shared=alert.fields_shared,
            escalation_of=UUID(alert.escalation_of) if alert.escalation_of else None,
        )
        await self._emit(
            session,
            new_event(
                payload,
                subject=alert.person_id,
                region_code=cause.region_code,
                producer=self.producer,
                cause=cause,
            ),
        )

    async def acknowledged(
        self, session: AsyncSession, alert: AlertRecord, by: str, at: datetime
    ) -> None:
        """Only for an alert about a person (one with a line in the sharing ledger)."""
        person_id = await session.scalar(
            select(SharingLedgerRecord.person_id)
            .where(SharingLedgerRecord.alert_id == alert.id)
            .limit(1)
        )
        partner = await session.get(PartnerRecord, alert.partner_id)
        if person_id is None or partner is None:
            return
        payload = AlertAcknowledged(
            alert_id=UUID(alert.id),
            person_id=UUID(person_id),
            partner_kind=PartnerKind(partner.kind),
            acknowledged_at=at,
        )
        await self._emit(
            session,
            new_event(
                payload,
                subject=person_id,
                region_code=alert.region_code,
                producer=self.producer,
                correlation_id=_correlation_of(alert.body),
                actor=by,
            ),
        )

    async def _emit(self, session: AsyncSession, event: EventEnvelope) -> None:
        """Written with the transaction's other pending rows (every alert of an event, or
        of a poll, in one insert), and the relay woken once it commits."""
        add_row(session, outbox, outbox_row(event, self.topic_prefix))
        if self.wake_relay is None:
            return
        session.info[_WAKE_DUE] = True
        if not session.info.get(_LISTENING):
            session.info[_LISTENING] = True
            _wake_after_commits(session.sync_session, self.wake_relay)


def _wake_after_commits(session: Session, wake_relay: Callable[[], None]) -> None:
    def wake(committed: Session) -> None:
        # The relay publishes as soon as the transaction commits, not at its next poll.
        if committed.info.pop(_WAKE_DUE, False):
            wake_relay()

    def forget(ended: Session, transaction: SessionTransaction) -> None:
        # A transaction that ends without its commit has nothing to publish; a flush's
        # inner transaction is no such end.
        if transaction.parent is None:
            ended.info.pop(_WAKE_DUE, None)

    orm_event.listen(session, "after_commit", wake)
    orm_event.listen(session, "after_transaction_end", forget)


def _correlation_of(body: dict[str, Any]) -> UUID | None:
    correlation = body.get("data", {}).get("correlation_id")
    return UUID(correlation) if correlation else None
