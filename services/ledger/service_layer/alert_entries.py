"""Alerts notify sent about a person on their timeline: which kind of partner was told,
by which rule, through which channels and with which of the person's fields (by name),
and the partner's acknowledgement."""

from wushe.ledger.service_layer.projection import Applying, projection
from wushe.ledger.service_layer.timeline import add_entry
from wushe.shared.events.notify import AlertAcknowledged, AlertRaised


@projection.on("alert.raised")
async def note_alert(applying: Applying) -> None:
    raised = AlertRaised.model_validate(applying.event.payload)
    details = {
        "alert_id": str(raised.alert_id),
        "rule": raised.rule,
        "reason": raised.reason,
        "about": raised.event_type,
        "partner_kind": raised.partner_kind.value,
        "channels": [channel.value for channel in raised.channels],
        "delivery": raised.delivery.value,
        "urgent": raised.urgent,
        "fields_shared": raised.fields_shared,
        "escalation_of": str(raised.escalation_of) if raised.escalation_of else None,
    }
    add_entry(applying, str(raised.person_id), details)


@projection.on("alert.acknowledged")
async def note_acknowledgement(applying: Applying) -> None:
    acknowledged = AlertAcknowledged.model_validate(applying.event.payload)
    details = {
        "alert_id": str(acknowledged.alert_id),
        "partner_kind": acknowledged.partner_kind.value,
        "acknowledged_at": acknowledged.acknowledged_at.isoformat(),
    }
    add_entry(applying, str(acknowledged.person_id), details)
