"""Turning consumed events into alerts for the partners who should receive them.

For each recipient: the fields its agreement and the person's consent (or the
agreement's statutory ground) allow, merged into an earlier alert about the same thing
when one was made within the rule's window, held until quiet hours end or gathered into
the daily digest when not urgent, written with the reasons (rule, escalation) and the
sharing ledger's line in one transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.notify.adapters.orm import AlertRecord, PartnerRecord, metadata
from wushe.notify.adapters.pending_rows import add_row, write_pending
from wushe.notify.adapters.sharing_orm import (
    DigestItemRecord,
    PartnerProfileRecord,
    RoutedAlertRecord,
    SharingLedgerRecord,
)
from wushe.notify.domain.field_policy import field_name
from wushe.notify.domain.quiet_hours import CHINA
from wushe.notify.domain.rules import ESCALATION, Rule
from wushe.notify.service_layer.alert_events import AlertEvents, RaisedAlert
from wushe.notify.service_layer.disclosure import Disclosure, disclose
from wushe.notify.service_layer.recipients import recipients_of
from wushe.notify.service_layer.routing_snapshot import RoutingSettings, RoutingSnapshot
from wushe.notify.service_layer.timing import digest_time, release_time
from wushe.shared.clock import Clock, utc_now
from wushe.shared.events import EventEnvelope
from wushe.shared.events.notify import AlertDelivery
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.outbox import trace_headers
from wushe.shared.unit_of_work import UnitOfWork

CONSUMER = "notify"
_ALERTS = metadata.tables[AlertRecord.__tablename__]
_ROUTED_ALERTS = metadata.tables[RoutedAlertRecord.__tablename__]
_SHARING_LEDGER = metadata.tables[SharingLedgerRecord.__tablename__]


@dataclass(frozen=True)
class Escalation:
    """An alert made because an earlier one went unacknowledged."""

    of_alert: str


@dataclass
class Router:
    cipher: FieldCipher
    clock: Clock = field(default=utc_now)
    # Where alerts about a person are announced (``alert.raised``); None: not announced.
    events: AlertEvents | None = None
    settings: RoutingSettings = field(default_factory=RoutingSettings)

    async def route(self, uow: UnitOfWork, event: EventEnvelope) -> int:
        """Alert every partner a rule or a subscription names; the number of alerts made."""
        async with uow:
            if not await uow.claim(CONSUMER, event):
                return 0
            snapshot = await self.settings.snapshot(uow.session)
            made = await self.route_claimed(uow.session, event, snapshot)
            await uow.commit()
        return made

    async def route_claimed(
        self, session: AsyncSession, event: EventEnvelope, snapshot: RoutingSnapshot
    ) -> int:
        """``route`` within the caller's transaction, for an event it has claimed."""
        now = self.clock()
        made = 0
        for recipient in await recipients_of(
            session, event, snapshot.partners, snapshot.settings, snapshot.subscriptions
        ):
            made += await self.alert(
                session, event, recipient.partner, recipient.rule, now, snapshot=snapshot
            )
        return made

    async def alert(
        self,
        session: AsyncSession,
        event: EventEnvelope,
        partner: PartnerRecord,
        rule: Rule,
        now: datetime,
        escalation: Escalation | None = None,
        *,
        snapshot: RoutingSnapshot | None = None,
    ) -> int:
        """``snapshot``: notify's settings as the caller has read them; else read here."""
        day = now.astimezone(CHINA).date()
        disclosure = await disclose(
            session,
            event,
            partner,
            day=day,
            agreements=snapshot.agreements_of(partner.id) if snapshot else None,
        )
        if rule.informational and disclosure.consent_withheld:
            return 0
        merge_key = f"{rule.merge_key(event.type, event.subject, event.payload)}:{partner.id}"
        if escalation is None and await _merged(session, merge_key, rule, event, now):
            return 0
        alert_id = str(uuid7())
        reason = ESCALATION if escalation else rule.reason
        body = alert_body(alert_id, event, disclosure, reason=reason, rule=rule.name)
        if escalation:
            body["data"]["escalation_of"] = escalation.of_alert
        profile = (
            snapshot.profiles.get(partner.id)
            if snapshot
            else await session.get(PartnerProfileRecord, partner.id)
        )
        regions = snapshot.region_quiet_hours if snapshot else None
        send_at = (
            now
            if rule.urgent
            else await release_time(session, profile, event.region_code, now, regions)
        )
        digest = not rule.urgent and escalation is None and digest_time(profile) is not None
        if digest:
            session.add(
                DigestItemRecord(
                    id=alert_id,
                    partner_id=partner.id,
                    event_type=event.type,
                    data=body["data"],
                    created_at=now,
                    digest_alert_id=None,
                )
            )
        else:
            add_row(
                session,
                _ALERTS,
                alert_row(
                    alert_id,
                    rule.name,
                    # A partner hears of an event once, and of its escalation once more.
                    f"{event.id}:{partner.id}" + (":e" if escalation else ""),
                    partner.id,
                    event,
                    body,
                    send_at,
                    now,
                ),
            )
        # An alert already at the level it would escalate to has nowhere further to go.
        escalates = (
            rule.escalate_to is not None
            and rule.escalate_after is not None
            and escalation is None
            and partner.kind != rule.escalate_to
        )
        escalate_at = send_at + rule.escalate_after if escalates and rule.escalate_after else None
        delivery = (
            AlertDelivery.DIGEST
            if digest
            else (AlertDelivery.HELD if send_at > now else AlertDelivery.IMMEDIATE)
        )
        add_row(
            session,
            _ROUTED_ALERTS,
            {
                "id": alert_id,
                "partner_id": partner.id,
                "event_id": event.id_text,
                "event_type": event.type,
                "rule": rule.name,
                "reason": reason,
                "subject": event.subject,
                "region_code": event.region_code,
                "merge_key": merge_key,
                "urgent": rule.urgent,
                "delivery": delivery.value,
                "repeats": 0,
                "merged_event_ids": [],
                "escalate_at": escalate_at,
                "escalated_at": None,
                "escalation_of": escalation.of_alert if escalation else None,
                "escalation_event": event.model_dump(mode="json") if escalates else None,
                "created_at": now,
            },
        )
        if disclosure.person_id:
            line = ledger_line(alert_id, event, partner, rule, disclosure, now)
            add_row(session, _SHARING_LEDGER, line)
            if self.events is not None:
                raised = RaisedAlert(
                    alert_id=alert_id,
                    person_id=disclosure.person_id,
                    rule=rule.name,
                    reason=reason,
                    urgent=rule.urgent,
                    delivery=delivery,
                    send_at=None if digest else send_at,
                    fields_shared=disclosure.shared,
                    escalation_of=escalation.of_alert if escalation else None,
                )
                await self.events.raised(session, event, partner, profile, raised)
        return 1


def alert_row(
    alert_id: str,
    rule: str,
    idempotency_key: str,
    partner_id: str,
    event: EventEnvelope,
    body: dict[str, Any],
    send_at: datetime,
    now: datetime,
) -> dict[str, Any]:
    """The alert's row, by column: every column, as one INSERT for many rows needs."""
    return {
        "id": alert_id,
        "idempotency_key": idempotency_key,
        "partner_id": partner_id,
        "event_id": event.id_text,
        "event_type": event.type,
        "rule": rule,
        "subject": event.subject,
        "region_code": event.region_code,
        "body": body,
        "trace_headers": trace_headers(),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": send_at,
        "created_at": now,
    }


def ledger_line(
    alert_id: str,
    event: EventEnvelope,
    partner: PartnerRecord,
    rule: Rule,
    disclosure: Disclosure,
    now: datetime,
) -> dict[str, Any]:
    """The sharing ledger's line for an alert about a person, by column."""
    assert disclosure.person_id is not None
    return {
        "person_id": disclosure.person_id,
        "partner_id": partner.id,
        "alert_id": alert_id,
        "event_id": event.id_text,
        "event_type": event.type,
        "rule": rule.name,
        "fields_shared": disclosure.shared,
        "fields_withheld": disclosure.withheld,
        "withheld_because": disclosure.withheld_because,
        "agreement_id": disclosure.agreement_id,
        "consent_id": disclosure.consent_id,
        "statutory_ground": (
            disclosure.statutory_ground.value if disclosure.statutory_ground else None
        ),
        "shared_at": now,
    }


async def _merged(
    session: AsyncSession, merge_key: str, rule: Rule, event: EventEnvelope, now: datetime
) -> bool:
    """A repeat within the rule's window is counted on the earlier alert, not sent again;
    an earlier alert not yet delivered carries the count to the partner."""
    if rule.merge_window <= timedelta(0):
        return False
    await write_pending(session)
    earlier = await session.scalar(
        select(RoutedAlertRecord)
        .where(
            RoutedAlertRecord.merge_key == merge_key,
            RoutedAlertRecord.escalation_of.is_(None),
            RoutedAlertRecord.created_at >= now - rule.merge_window,
        )
        .order_by(RoutedAlertRecord.created_at.desc())
        .limit(1)
    )
    if earlier is None:
        return False
    earlier.repeats += 1
    earlier.merged_event_ids = [*earlier.merged_event_ids, event.id_text]
    if earlier.delivery == "digest":
        item = await session.get(DigestItemRecord, earlier.id)
        if item is not None and item.digest_alert_id is None:
            item.data = {**item.data, "repeats": earlier.repeats}
    else:
        alert = await session.get(AlertRecord, earlier.id)
        if alert is not None and alert.status == "pending":
            alert.body = {**alert.body, "data": {**alert.body["data"], "repeats": earlier.repeats}}
    return True


def alert_body(
    alert_id: str, event: EventEnvelope, disclosure: Disclosure, *, reason: str, rule: str
) -> dict[str, Any]:
    """The webhook payload: Standard Webhooks' type / timestamp / data shape. The subject
    is left out when it is a field the partner may not see (a person's id)."""
    withheld_values = {
        str(value) for key, value in event.payload.items() if field_name(key) in disclosure.withheld
    }
    return {
        "type": event.type,
        "timestamp": event.occurred_at.isoformat(),
        "data": {
            "alert_id": alert_id,
            "event_id": event.id_text,
            "reason": reason,
            "rule": rule,
            "subject": None if event.subject in withheld_values else event.subject,
            "region_code": event.region_code,
            "correlation_id": str(event.correlation_id),
            **disclosure.data,
        },
    }
