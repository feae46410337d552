"""Rows written straight into a service's outbox: the ledger's `ledger.file_opened` for a
new person each, sent at the given times or not yet."""

from datetime import datetime
from uuid import uuid4

from integration.conftest import Sessions
from wushe.shared.events import Producer, new_event
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.messaging_tables import outbox
from wushe.shared.outbox import outbox_row

LEDGER = Producer(service="ledger", deployment="test")


async def write_outbox_rows(
    sessions: Sessions,
    topic_prefix: str,
    sent_at: list[datetime | None],
    *,
    created_at: datetime | None = None,
) -> None:
    """One row for each of ``sent_at`` (None: not sent), written now unless ``created_at``."""
    async with sessions() as session, session.begin():
        for sent in sent_at:
            payload = LedgerFileOpened(file_id=uuid4(), person_id=uuid4(), region_code="420704")
            event = new_event(
                payload, subject=str(payload.person_id), region_code="420704", producer=LEDGER
            )
            row = outbox_row(event, topic_prefix, headers={})
            if created_at is not None:
                row["created_at"] = created_at
            await session.execute(outbox.insert().values(**row, published_at=sent))
