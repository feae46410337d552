"""Which of an event's fields a partner may see without a data-sharing agreement.

Events carry no names (see the architecture): a person appears by id, with groups, age
band, region codes and dates. Notify never learns more about a person than the event it
routes, so a partner can at most receive the event's own fields.

By default an alert carries ids and what says nothing about a person: the person's id is
a pseudonymous reference (a partner learns who it is only through its own access to the
person's file), the need's kind, the fund's balance, the due date of a missed visit.
Each event type lists those fields here. Every other field, including any field a
producer adds later, is personal (groups, age band, residence, a crisis's kind, a name)
and reaches a partner only when its agreement names it and the person's consent holds
(or the agreement's statutory ground covers the alert, ``statutory.py``). Default deny.

A producer that must let an agency learn a name or an address (a child at risk, for the
police) sends it sealed for notify: a payload field ``<name>_sealed`` holding the value
encrypted with the deployment's field cipher under the context ``partner_alert.<name>``.
The agreement names the field as ``<name>``; notify keeps it sealed in the alerts it
stores and opens it only as it sends to a partner allowed to see it, so the clear value
exists only in what that partner receives.
"""

from dataclasses import dataclass
from typing import Any

from wushe.shared.field_encryption import FieldCipher, partner_alert_context

SEALED_SUFFIX = "_sealed"

_NEED_FIELDS = frozenset(
    {"need_id", "kind", "quantity", "region_code", "deadline", "partner_id", "offer_id",
     "person_id"}
)  # fmt: skip

NON_PERSONAL_FIELDS: dict[str, frozenset[str]] = {
    "ledger.file_opened": frozenset({"file_id", "person_id", "region_code"}),
    "person.registered": frozenset({"person_id", "station_region"}),
    "person.group_joined": frozenset({"person_id"}),
    "crisis.reported": frozenset({"visit_id", "person_id", "found_on"}),
    "visit.overdue": frozenset(
        {"person_id", "due_on", "interval_days", "detected_on", "notified_level"}
    ),
    "visit.escalated": frozenset({"person_id", "due_on", "level", "days_overdue", "detected_on"}),
    "offer.posted": frozenset({"offer_id", "partner_id", "kinds", "regions", "capacity"}),
    "offer.withdrawn": frozenset({"offer_id", "partner_id"}),
    **{
        event_type: _NEED_FIELDS
        for event_type in (
            "need.posted",
            "need.taken",
            "need.fulfilled",
            "need.fulfilment_rejected",
            "need.confirmed",
            "need.cancelled",
        )
    },
    "donation.received": frozenset(
        {
            "donation_id",
            "fund_id",
            "amount_fen",
            "channel",
            "receipt_number",
            "restriction_kind",
            "corrects",
        }
    ),
    "fund.balance_low": frozenset({"fund_id", "balance_fen", "threshold_fen"}),
}


@dataclass(frozen=True)
class EventFields:
    """An event's payload split in two; sealed personal values are still sealed."""

    non_personal: dict[str, Any]
    personal: dict[str, Any]

    def allowed(self, names: frozenset[str]) -> dict[str, Any]:
        """The personal fields ``names`` allows, sealed ones still sealed: notify stores
        alerts and digest items so, and opens them only as it sends (``open_sealed``)."""
        return {key: value for key, value in self.personal.items() if field_name(key) in names}

    def personal_names(self) -> frozenset[str]:
        return frozenset(field_name(key) for key in self.personal)


def open_sealed(value: Any, cipher: FieldCipher) -> Any:
    """``value`` (an alert's body, a digest's items) with every ``<name>_sealed`` opened
    into ``<name>``: the clear value exists only in what goes out to the partner."""
    if isinstance(value, dict):
        opened: dict[str, Any] = {}
        for key, item in value.items():
            if key.endswith(SEALED_SUFFIX) and isinstance(item, str):
                name = field_name(key)
                opened[name] = cipher.decrypt(item, partner_alert_context(name))
            else:
                opened[key] = open_sealed(item, cipher)
        return opened
    if isinstance(value, list):
        return [open_sealed(item, cipher) for item in value]
    return value


def field_name(key: str) -> str:
    return key.removesuffix(SEALED_SUFFIX)


def split_fields(event_type: str, payload: dict[str, Any]) -> EventFields:
    public = NON_PERSONAL_FIELDS.get(event_type, frozenset())
    return EventFields(
        non_personal={k: v for k, v in payload.items() if k in public},
        personal={k: v for k, v in payload.items() if k not in public},
    )
