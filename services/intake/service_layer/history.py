"""Every change to a person is written down with the event it caused."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import insert

from wushe.intake.adapters.orm import PersonChangeRecord, PersonRecord, metadata
from wushe.shared.auth import Caller
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.telemetry import current_trace_id
from wushe.shared.unit_of_work import UnitOfWork

_CHANGES = metadata.tables[PersonChangeRecord.__tablename__]


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
    """Emit ``event`` and write its history line, in the caller's unit of work."""
    event.actor = caller.subject
    await uow.emit(event)
    line = change_values(event, caller, fields=fields, detail=detail, reason=reason)
    # A row, not an ORM object: nothing reads it back, and flushing an object at the
    # commit costs more than the statement.
    await uow.session.execute(insert(_CHANGES), line)


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
