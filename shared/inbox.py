"""The idempotent-consumer record: an event id is applied once per consumer.

The row is written in the same transaction as the effect; its primary key turns a
redelivered event into a no-op insert, recognised by the row count.
"""

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.shared.events import EventEnvelope
from wushe.shared.messaging_tables import processed_events


async def claim_event(session: AsyncSession, consumer: str, event: EventEnvelope) -> bool:
    """Record the event as processed by ``consumer``; False when it already was."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(processed_events)
        .values(
            consumer=consumer,
            event_id=str(event.id),
            event_type=event.type,
            processed_at=datetime.now(UTC),
        )
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
    )
    result = cast(CursorResult[Any], await session.execute(statement))
    return bool(result.rowcount)
