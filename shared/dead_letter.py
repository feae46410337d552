"""Bounded retries and a dead-letter topic, as a FastStream middleware.

A failing message is retried in place (keeping the partition's order) a bounded
number of times; then the original bytes go to the consumer's dead-letter topic with
the error in headers, and the offset is committed, so the partition moves on.
Malformed messages are not retried: they cannot succeed. If the dead-letter publish
itself fails, the exception reaches FastStream, which seeks back (NACK) and
redelivers: a message is never dropped.
"""

import asyncio
import json
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
from aiokafka import ConsumerRecord
from faststream._internal.middlewares import BaseMiddleware
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from wushe.shared.metrics import DEAD_LETTERS

log = structlog.get_logger(__name__)

T = TypeVar("T")

PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    ValidationError,
    json.JSONDecodeError,
    UnicodeDecodeError,
)


@dataclass(frozen=True)
class DeadLetterPolicy:
    consumer: str
    topic: str
    max_attempts: int = 3
    backoff_seconds: float = 0.2


async def apply_with_retries(
    policy: DeadLetterPolicy,
    apply: Callable[[], Awaitable[T]],
    dead_letter: Callable[[BaseException, int], Awaitable[None]],
    **log_fields: Any,
) -> T | None:
    """``apply()``, retried with exponential backoff up to ``policy.max_attempts``; an
    error that retrying cannot mend, or the last attempt's, goes to ``dead_letter``."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return await apply()
        except PERMANENT_ERRORS as error:
            await dead_letter(error, attempt)
            return None
        except Exception as error:
            if attempt >= policy.max_attempts:
                await dead_letter(error, attempt)
                return None
            delay = policy.backoff_seconds * 2 ** (attempt - 1)
            log.warning(
                "event handling failed; retrying",
                consumer=policy.consumer,
                **log_fields,
                attempt=attempt,
                retry_in_seconds=delay,
                error=repr(error),
            )
            await asyncio.sleep(delay)


class DeadLetterMiddleware:
    """Middleware factory; bind the broker before the subscriber starts consuming."""

    def __init__(self, policy: DeadLetterPolicy) -> None:
        self.policy = policy
        self.broker: KafkaBroker | None = None

    def bind(self, broker: KafkaBroker) -> None:
        self.broker = broker

    def __call__(self, msg: Any, /, *, context: Any) -> "_DeadLetterScope":
        return _DeadLetterScope(msg, context=context, owner=self)


class _DeadLetterScope(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: Any, owner: DeadLetterMiddleware) -> None:
        super().__init__(msg, context=context)
        self.owner = owner

    async def consume_scope(self, call_next: Any, msg: Any) -> Any:
        async def dead_letter(error: BaseException, attempts: int) -> None:
            await self._dead_letter(msg, error, attempts)

        return await apply_with_retries(self.owner.policy, lambda: call_next(msg), dead_letter)

    async def _dead_letter(self, msg: Any, error: BaseException, attempts: int) -> None:
        if self.owner.broker is None:
            raise RuntimeError("dead-letter middleware used before bind(broker)") from error
        if isinstance(msg.raw_message, tuple):
            # A batch handler dead-letters its own records one by one; a batch that
            # still fails is redelivered whole rather than dead-lettered whole.
            raise error
        await publish_dead_letter(
            self.owner.broker, self.owner.policy, msg.raw_message, error, attempts
        )


async def publish_dead_letter(
    broker: KafkaBroker,
    policy: DeadLetterPolicy,
    record: ConsumerRecord[bytes, bytes],
    error: BaseException,
    attempts: int,
) -> None:
    """The record's original bytes to the dead-letter topic, with why in its headers."""
    headers = {
        "dlt-consumer": policy.consumer,
        "dlt-error-type": type(error).__name__,
        "dlt-error": _short(str(error)),
        "dlt-traceback": _short("".join(traceback.format_exception(error)), 4000),
        "dlt-attempts": str(attempts),
        "dlt-original-topic": record.topic,
        "dlt-original-partition": str(record.partition),
        "dlt-original-offset": str(record.offset),
    }
    for name, value in record.headers or ():
        if name in ("event-type", "event-id"):
            headers[name] = value.decode(errors="replace")
    await broker.publish(record.value or b"", topic=policy.topic, key=record.key, headers=headers)
    DEAD_LETTERS.labels(policy.consumer, type(error).__name__).inc()
    log.error(
        "event dead-lettered",
        consumer=policy.consumer,
        dead_letter_topic=policy.topic,
        original_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        error_type=type(error).__name__,
        error=_short(str(error), 500),
        attempts=attempts,
    )


def _short(text: str, limit: int = 1000) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
