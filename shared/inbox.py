"""The idempotent-consumer record: an event id is applied once per consumer.

The row is written in the same transaction as the effect; its primary key turns a
redelivered event into a no-op insert; the insert returns the ids it did insert, a batch's
events in one statement (on SQLite, one per ``CLAIM_BATCH`` of them).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.shared.batch_sql import recordset_insert
from wushe.shared.db import conflict_insert
from wushe.shared.events import EventEnvelope
from wushe.shared.messaging_tables import processed_events

CLAIM_BATCH = 500


async def claim_event(session: AsyncSession, consumer: str, event: EventEnvelope) -> bool:
    """Record the event as processed by ``consumer``; False when it already was."""
    return bool(await claim_events(session, consumer, [event]))


async def claim_events(
    session: AsyncSession, consumer: str, events: Sequence[EventEnvelope]
) -> set[str]:
    """``claim_event`` for each of ``events`` at once: the ids of those not processed by
    ``consumer`` before (an id repeated among ``events`` is returned once)."""
    processed_at = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {
            "consumer": consumer,
            "event_id": event.id_text,
            "event_type": event.type,
            "processed_at": processed_at,
        }
        for event in events
    ]
    if not rows:
        return set()
    statement: postgresql.Insert | sqlite.Insert
    parameters: dict[str, Any] | list[dict[str, Any]]
    options: dict[str, Any] = {}
    if session.bind.dialect.name == "postgresql":
        statement, parameters = recordset_insert(processed_events, rows)
    else:
        # Executed with a list of rows, the statement is compiled once and sent as multi-row
        # inserts of up to CLAIM_BATCH rows ("insertmanyvalues"), each returning its ids.
        statement, parameters = conflict_insert(session, processed_events), rows
        options = {"insertmanyvalues_page_size": CLAIM_BATCH}
    claim = statement.on_conflict_do_nothing(index_elements=["consumer", "event_id"]).returning(
        processed_events.c.event_id
    )
    return set(await session.scalars(claim, parameters, execution_options=options))
