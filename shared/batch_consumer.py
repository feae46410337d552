"""Consuming events in batches: one transaction and one offset commit per poll.

Committing each event and its offset separately bounds a consumer at a few hundred
events a second; a batch spreads both costs over hundreds of events. Each event still
continues its own trace (its producer's W3C headers), so what it causes joins the
request that caused it. A batch that fails is applied again event by event, each with
bounded retries, and only the event that keeps failing goes to the dead-letter topic;
events already applied are skipped by the consumer's processed-event record.

Inside a batch, instrumentation spans (one per SQL statement) are left out unless
``trace_statements`` (setting ``consumer_trace_sql``): written for hundreds of events a
poll, they cost more than applying the events. Each event's own span is kept.
"""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import TypeAlias

import structlog
from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.utils import suppress_instrumentation

from wushe.shared.dead_letter import (
    PERMANENT_ERRORS,
    DeadLetterPolicy,
    apply_with_retries,
    publish_dead_letter,
)
from wushe.shared.event_spans import applying_span
from wushe.shared.events import EventEnvelope

log = structlog.get_logger(__name__)

Record: TypeAlias = ConsumerRecord[bytes, bytes]


@dataclass(frozen=True)
class ConsumedEvent:
    event: EventEnvelope
    record: Record

    def handling(self, consumer: str) -> AbstractContextManager[None]:
        """Within the event's own trace, and with its ids on every log line."""
        return _Handling(self, consumer)


class _Handling(AbstractContextManager[None]):
    """A class rather than a generator: a consumer enters one for every event."""

    __slots__ = ("_event", "_span")

    def __init__(self, item: ConsumedEvent, consumer: str) -> None:
        carrier = {name: value.decode(errors="replace") for name, value in item.record.headers}
        self._event = event = item.event
        self._span = applying_span(f"{consumer} apply {event.type}", carrier, event.id_text)

    def __enter__(self) -> None:
        event = self._event
        structlog.contextvars.bind_contextvars(
            event_id=event.id_text,
            event_type=event.type,
            correlation_id=str(event.correlation_id),
        )
        try:
            self._span.__enter__()
        except BaseException:
            structlog.contextvars.unbind_contextvars(*_BOUND)
            raise

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._span.__exit__(kind, error, traceback)
        finally:
            structlog.contextvars.unbind_contextvars(*_BOUND)


_BOUND = ("event_id", "event_type", "correlation_id")


BatchHandler = Callable[[list[ConsumedEvent]], Awaitable[None]]
EventHandler = Callable[[ConsumedEvent], Awaitable[None]]


class BatchConsumer:
    def __init__(
        self,
        policy: DeadLetterPolicy,
        broker: KafkaBroker,
        apply_batch: BatchHandler,
        apply_one: EventHandler,
        *,
        trace_statements: bool = True,
    ) -> None:
        self.policy = policy
        self.broker = broker
        self.apply_batch = apply_batch
        self.apply_one = apply_one
        self.trace_statements = trace_statements

    def _instrumented(self) -> AbstractContextManager[None]:
        return nullcontext() if self.trace_statements else suppress_instrumentation()

    async def consume(self, records: Sequence[Record]) -> None:
        consumed = []
        for record in records:
            try:
                consumed.append(
                    ConsumedEvent(EventEnvelope.model_validate_json(record.value), record)
                )
            except PERMANENT_ERRORS as error:
                await publish_dead_letter(self.broker, self.policy, record, error, 1)
        if not consumed:
            return
        try:
            with self._instrumented():
                await self.apply_batch(consumed)
        except Exception as error:
            log.warning(
                "batch failed; applying its events one by one",
                consumer=self.policy.consumer,
                events=len(consumed),
                error=repr(error),
            )
            for item in consumed:
                await self._apply_with_retries(item)

    async def _apply_with_retries(self, item: ConsumedEvent) -> None:
        async def apply() -> None:
            with self._instrumented():
                await self.apply_one(item)

        async def dead_letter(error: BaseException, attempts: int) -> None:
            await publish_dead_letter(self.broker, self.policy, item.record, error, attempts)

        await apply_with_retries(self.policy, apply, dead_letter, event_id=item.event.id_text)
