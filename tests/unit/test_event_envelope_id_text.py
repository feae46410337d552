"""An event's id as text: written once, and never that of another event."""

import uuid
from datetime import UTC, datetime

from wushe.shared.events.envelope import EventEnvelope, Producer


def envelope() -> EventEnvelope:
    return EventEnvelope(
        id=uuid.uuid4(), type="person.registered", occurred_at=datetime.now(UTC),
        producer=Producer(service="intake", deployment="ezhou"), subject="p-1",
        region_code="420700", correlation_id=uuid.uuid4(), payload={},
    )  # fmt: skip


def test_the_id_text_is_the_id_and_stays_out_of_the_event() -> None:
    event = envelope()
    assert event.id_text == str(event.id)
    assert "id_text" not in event.model_dump()
    assert event == EventEnvelope.model_validate_json(event.to_bytes())


def test_a_copy_under_another_id_names_its_own_id() -> None:
    event = envelope()
    assert event.id_text
    other = uuid.uuid4()
    copied = event.model_copy(update={"id": other})
    assert copied.id_text == str(other)
    assert event.model_copy().id_text == event.id_text
