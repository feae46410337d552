"""The one retry loop both the per-event middleware and the batch consumer use."""

import json

from wushe.shared.dead_letter import DeadLetterPolicy, apply_with_retries

POLICY = DeadLetterPolicy(consumer="ledger", topic="dlt.ledger", max_attempts=3, backoff_seconds=0)


async def test_a_passing_event_is_applied_once() -> None:
    calls: list[int] = []
    dead: list[tuple[BaseException, int]] = []

    async def apply() -> str:
        calls.append(1)
        return "done"

    async def dead_letter(error: BaseException, attempts: int) -> None:
        dead.append((error, attempts))

    assert await apply_with_retries(POLICY, apply, dead_letter) == "done"
    assert calls == [1] and dead == []


async def test_a_transient_failure_is_retried_until_it_passes() -> None:
    calls: list[int] = []

    async def apply() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("database restarting")
        return "done"

    async def dead_letter(error: BaseException, attempts: int) -> None:
        raise AssertionError("nothing should be dead-lettered")

    assert await apply_with_retries(POLICY, apply, dead_letter, event_id="e1") == "done"
    assert len(calls) == 3


async def test_a_lasting_failure_is_dead_lettered_after_the_last_attempt() -> None:
    dead: list[tuple[str, int]] = []

    async def apply() -> None:
        raise ConnectionError("still down")

    async def dead_letter(error: BaseException, attempts: int) -> None:
        dead.append((type(error).__name__, attempts))

    assert await apply_with_retries(POLICY, apply, dead_letter) is None
    assert dead == [("ConnectionError", 3)]


async def test_a_malformed_event_is_dead_lettered_without_a_retry() -> None:
    calls: list[int] = []
    dead: list[tuple[str, int]] = []

    async def apply() -> None:
        calls.append(1)
        json.loads("{not json")

    async def dead_letter(error: BaseException, attempts: int) -> None:
        dead.append((type(error).__name__, attempts))

    assert await apply_with_retries(POLICY, apply, dead_letter) is None
    assert calls == [1] and dead == [("JSONDecodeError", 1)]
