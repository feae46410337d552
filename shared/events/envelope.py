"""The envelope every event travels in, whatever its type."""

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

# A counter within the millisecond keeps ids unique and ordered, as RFC 9562 describes,
# without reading the system's random source for every id.
from uuid_utils.compat import uuid7

from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode


class Producer(BaseModel):
    model_config = ConfigDict(frozen=True)

    service: str = Field(description="Service that wrote the event", examples=["intake"])
    deployment: str = Field(description="City deployment that wrote it", examples=["ezhou"])


class EventEnvelope(BaseModel):
    """Metadata common to all events; ``payload`` is validated by the event type's model."""

    id: UUID = Field(description="Time-ordered event id (UUIDv7); consumers dedupe on it")
    type: str = Field(description="Stable event type name", examples=["person.registered"])
    schema_version: int = Field(1, ge=1, description="Payload schema version of this type")
    occurred_at: datetime
    producer: Producer
    subject: str = Field(description="Aggregate id; also the Kafka key")
    region_code: RecordedRegionCode
    correlation_id: UUID = Field(description="Id shared by every event of one request")
    causation_id: UUID | None = Field(None, description="Id of the event that caused this one")
    actor: str | None = Field(
        None,
        description="Account that caused it (a token's subject: staff, volunteer or partner)",
        examples=["worker-017"],
    )
    payload: dict[str, Any]

    @cached_property
    def id_text(self) -> str:
        """The id as text, written once: an event's claim, span, log context and rows
        each name it."""
        return str(self.id)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        # A copy may carry another id: its text is written again when asked for.
        copied.__dict__.pop("id_text", None)
        return copied

    def typed_payload(self) -> BaseModel:
        model = registry.model_for(self.type, self.schema_version)
        return model.model_validate(self.payload)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()


def new_event(
    payload: BaseModel,
    *,
    subject: str,
    region_code: str,
    producer: Producer,
    cause: EventEnvelope | None = None,
    correlation_id: UUID | None = None,
    actor: str | None = None,
) -> EventEnvelope:
    """Wrap a registered payload model; a caused event inherits its cause's correlation."""
    spec = registry.spec_for_model(type(payload))
    return EventEnvelope(
        id=uuid7(),
        type=spec.type,
        schema_version=spec.version,
        occurred_at=datetime.now(UTC),
        producer=producer,
        subject=subject,
        region_code=region_code,
        correlation_id=cause.correlation_id if cause else (correlation_id or uuid7()),
        causation_id=cause.id if cause else None,
        actor=actor,
        payload=payload.model_dump(mode="json"),
    )
