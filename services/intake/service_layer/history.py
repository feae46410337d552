"""Every change to a person is written down with the event it caused."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from wushe.intake.adapters.orm import PersonChangeRecord, PersonRecord
from wushe.shared.auth import Caller
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.telemetry import current_trace_id
from wushe.shared.unit_of_work import UnitOfWork


def change_values(
    event: EventEnvelope,
    caller: Caller,
    *,
    fields: Sequence[str] = (),
    detail: dict[str, str] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """The history line of a change, as column values ready to insert."""
    return {
        "person_id": event.subject,
        "kind": event.type.removeprefix("person."),
        "fields": list(fields),
        "detail": detail or {},
        "reason": reason,
        "changed_by": caller.subject,
        "changed_at": datetime.now(UTC),
        "event_id": event.id_text,
        "trace_id": current_trace_id(),
    }


def person_event(payload: BaseModel, record: PersonRecord, producer: Producer) -> EventEnvelope:
    """An event about the person: keyed by them, in the region where they live."""
    return new_event(
        payload, subject=record.id, region_code=record.residence_region, producer=producer
    )


async def record_change(
    uow: UnitOfWork,
    event: EventEnvelope,
    caller: Caller,
    *,
    fields: Sequence[str] = (),
    detail: dict[str, str] | None = None,
    reason: str | None = None,
) -> None:
    """Emit ``event`` and add its history line, in the caller's unit of work."""
    event.actor = caller.subject
    await uow.emit(event)
    line = change_values(event, caller, fields=fields, detail=detail, reason=reason)
    uow.session.add(PersonChangeRecord(**line))


def note_change(
    uow: UnitOfWork,
    event: EventEnvelope,
    caller: Caller,
    *,
    person_id: str,
    fields: Sequence[str] = (),
    detail: dict[str, str] | None = None,
    reason: str | None = None,
) -> None:
    """A history line for another person ``event`` concerns; the event is emitted once,
    by ``record_change`` for its subject."""
    line = change_values(event, caller, fields=fields, detail=detail, reason=reason)
    uow.session.add(PersonChangeRecord(**line | {"person_id": person_id}))
