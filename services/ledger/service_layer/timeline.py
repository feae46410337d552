"""A person's timeline: writing an entry for an event, reading a file's whole history."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.ledger.adapters.orm import LedgerFileRecord, TimelineEntryRecord, metadata
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.shared.batch_sql import insert_rows

# The entries of the transaction's events, written together once they are applied.
_PENDING = "wushe.ledger.timeline"
_TIMELINE = metadata.tables[TimelineEntryRecord.__tablename__]


def add_entry(
    applying: Applying, person_id: str, details: Mapping[str, object] | None = None
) -> None:
    """The event on ``person_id``'s timeline: who, when, where, and its trace; written
    with the other entries of the transaction once its events are applied."""
    event = applying.event
    entries: list[dict[str, Any]] = applying.session.info.setdefault(_PENDING, [])
    entries.append(
        {
            "event_id": applying.event.id_text,
            "person_id": person_id,
            "event_type": event.type,
            "occurred_at": event.occurred_at,
            "source": event.producer.service,
            "actor": event.actor,
            "region_code": event.region_code,
            "trace_id": applying.trace_id,
            "details": dict(details) if details is not None else _kept(event.payload),
        }
    )


def _kept(payload: Mapping[str, object]) -> dict[str, object]:
    """The payload without what producers seal for notify alone (``<name>_sealed``): the
    ledger keeps no personal data, and ciphertext it cannot rotate is no exception."""
    return {name: value for name, value in payload.items() if not name.endswith("_sealed")}


@projection.on_finish
async def write_entries(session: AsyncSession) -> None:
    entries: list[dict[str, Any]] | None = session.info.pop(_PENDING, None)
    if entries:
        # The table's own INSERT for all the rows: the ORM's bulk path would first look
        # at every row for what the mapping adds, which none of these need.
        await insert_rows(session, _TIMELINE, entries)


async def persons_on_file(session: AsyncSession, person_id: str) -> list[str]:
    """The person and everyone whose file was merged into theirs, at any depth."""
    persons = [person_id]
    frontier = [person_id]
    while frontier:
        merged = (
            await session.scalars(
                select(LedgerFileRecord.person_id).where(LedgerFileRecord.merged_into.in_(frontier))
            )
        ).all()
        frontier = [found for found in merged if found not in persons]
        persons.extend(frontier)
    return persons


async def timeline_of(
    session: AsyncSession, persons: Sequence[str], *, limit: int, offset: int
) -> tuple[list[TimelineEntryRecord], int]:
    """Entries about any of ``persons``, oldest first, one page of them and the total."""
    matching = select(TimelineEntryRecord).where(TimelineEntryRecord.person_id.in_(persons))
    rows = (
        await session.scalars(
            matching.order_by(TimelineEntryRecord.occurred_at, TimelineEntryRecord.event_id)
        )
    ).all()
    # A merge's entry sits on both files; on the merged timeline it is shown once.
    unique: dict[str, TimelineEntryRecord] = {}
    for row in rows:
        unique.setdefault(row.event_id, row)
    entries = list(unique.values())
    return entries[offset : offset + limit], len(entries)
