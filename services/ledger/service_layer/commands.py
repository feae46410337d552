"""How a ledger command takes effect: its event is published and applied in one go."""

from typing import Any

from wushe.ledger.service_layer.projection import Applying
from wushe.ledger.service_layer.projectors import projection
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.batch_sql import insert_rows
from wushe.shared.events import EventEnvelope, Producer
from wushe.shared.inbox import claim_events
from wushe.shared.messaging_tables import outbox
from wushe.shared.outbox import outbox_row
from wushe.shared.telemetry import current_trace_id
from wushe.shared.unit_of_work import UnitOfWork

CONSUMER = "ledger"


async def record(uow: UnitOfWork, event: EventEnvelope, producer: Producer) -> None:
    """Emit one of the ledger's own events and apply it, in the caller's transaction.

    The event is also marked as applied, so that reading it back from the topic (a
    consumer of the ledger's own stream, or a rebuild into this database) skips it.
    """
    await uow.emit(event)
    await uow.claim(CONSUMER, event)
    await projection.apply(
        Applying(uow.session, event, current_trace_id(), producer, emit=uow.emit)
    )
    await projection.finish(uow.session)


async def apply_consumed(uow: UnitOfWork, event: EventEnvelope, producer: Producer) -> None:
    """Apply an event from another service once, however often it is delivered."""
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return
        await projection.apply(
            Applying(uow.session, event, current_trace_id(), producer, emit=uow.emit)
        )
        await projection.finish(uow.session)
        await uow.commit()


async def apply_consumed_batch(
    uow: UnitOfWork, batch: list[ConsumedEvent], producer: Producer, topic_prefix: str = ""
) -> None:
    """Apply a poll's events in one transaction, each once and within its own trace.

    The batch's events are claimed in one statement and the files and consents they name
    read in a query or two. A person's events arrive in order within the batch, and a
    later event sees what an earlier one did (the same objects); what the batch's events
    changed is written, and the visit plans they changed planned, once at its end
    (``projection.finish``). The events the
    projectors publish (``topic_prefix``: the service's) are written to the outbox
    together, each with the trace headers of the event that caused it.
    """
    async with uow:
        events = [item.event for item in batch]
        claimed = await claim_events(uow.session, CONSUMER, events)
        await projection.prepare(
            uow.session, [item.event for item in batch if item.event.id_text in claimed]
        )
        emitted: list[dict[str, Any]] = []

        async def emit(event: EventEnvelope) -> None:
            emitted.append(outbox_row(event, topic_prefix))

        for item in batch:
            with item.handling(CONSUMER):
                event_id = item.event.id_text
                if event_id not in claimed:
                    continue
                claimed.discard(event_id)
                await projection.apply(
                    Applying(uow.session, item.event, current_trace_id(), producer, emit)
                )
        await projection.finish(uow.session)
        if emitted:
            await insert_rows(uow.session, outbox, emitted)
            uow.count_emitted(len(emitted))
        await uow.commit()
