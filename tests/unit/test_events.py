import pytest
from pydantic import ValidationError

from wushe.shared.events import EventEnvelope, Producer, UnknownEventType, new_event
from wushe.shared.events.catalog import registry
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.events.ledger import LedgerFileOpened

PRODUCER = Producer(service="intake", deployment="ezhou")


def registered() -> EventEnvelope:
    return new_event(
        PersonRegistered(person_id="01a20940-8cf0-7084-ab20-d3dc4eafc5ca",
                         residence_region="420704", station_region="420704",
                         groups=["elderly_living_alone"]),
        subject="01a20940-8cf0-7084-ab20-d3dc4eafc5ca", region_code="420704", producer=PRODUCER,
    )  # fmt: skip


def test_envelope_round_trips_through_bytes() -> None:
    event = registered()
    again = EventEnvelope.model_validate_json(event.to_bytes())
    assert again == event
    assert isinstance(again.typed_payload(), PersonRegistered)
    assert again.type == "person.registered" and again.schema_version == 1


def test_event_ids_are_time_ordered_uuid7() -> None:
    first, second = registered(), registered()
    assert first.id.version == 7
    assert str(first.id) < str(second.id)


def test_caused_event_keeps_the_correlation_and_names_its_cause() -> None:
    cause = registered()
    effect = new_event(
        LedgerFileOpened(file_id=cause.id, person_id=cause.subject, region_code="420704"),
        subject=cause.subject, region_code="420704", producer=PRODUCER, cause=cause,
    )  # fmt: skip
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.id


def test_unknown_version_is_told_apart() -> None:
    event = registered().model_copy(update={"schema_version": 2})
    with pytest.raises(UnknownEventType):
        event.typed_payload()


def test_envelope_rejects_a_bad_region() -> None:
    data = registered().model_dump(mode="json") | {"region_code": "990000"}
    with pytest.raises(ValidationError, match="province"):
        EventEnvelope.model_validate(data)


def test_no_event_payload_carries_personal_fields() -> None:
    personal = {"full_name", "name", "id_number", "phone", "address", "donor_name"}
    for spec in registry.specs():
        assert not personal & set(spec.model.model_fields), spec.type
