"""Transactional outbox: events are written in the same transaction as the state change."""

from datetime import UTC, datetime
from typing import Any

from opentelemetry import propagate
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.shared.events import EventEnvelope, registry
from wushe.shared.messaging_tables import outbox


def trace_headers() -> dict[str, str]:
    """The current trace context as W3C headers, to be re-emitted by the relay."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def outbox_row(
    event: EventEnvelope, topic_prefix: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    spec = registry.spec_for_model(registry.model_for(event.type, event.schema_version))
    return {
        "event_id": event.id_text,
        "event_type": event.type,
        "topic": f"{topic_prefix}{spec.topic}",
        "key": event.subject,
        "body": event.model_dump_json(),
        "trace_headers": trace_headers() if headers is None else headers,
        "created_at": datetime.now(UTC),
    }


async def add_to_outbox(session: AsyncSession, event: EventEnvelope, topic_prefix: str) -> None:
    await session.execute(outbox.insert().values(**outbox_row(event, topic_prefix)))
