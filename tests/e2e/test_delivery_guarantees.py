"""At least once on the wire, exactly once in effect: duplicates, poison, SIGKILL."""

import asyncio
import random
import signal
import time
import uuid
from typing import Any

from support.kafka_tools import publish
from support.running_stack import RunningStack, count_rows, wait_for
from wushe.cli.dead_letters import replay_dead_letters
from wushe.cli.topic_reader import read_topic
from wushe.shared.divisions import current_codes
from wushe.shared.events import Producer, new_event
from wushe.shared.events.intake import PersonRegistered

TEST_PRODUCER = Producer(service="test", deployment="test")


def registration(region: str = "420704") -> tuple[bytes, bytes, str]:
    person_id = uuid.uuid4()
    event = new_event(
        PersonRegistered(person_id=person_id, residence_region=region,
                         station_region="420704", groups=["child_left_behind"]),
        subject=str(person_id), region_code=region, producer=TEST_PRODUCER,
    )  # fmt: skip
    return str(person_id).encode(), event.to_bytes(), str(event.id)


def metric_value(exposition: str, series: str) -> float:
    for line in exposition.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} not in the metrics")


def file_exists(stack: RunningStack, person_id: str) -> bool:
    return stack.found("ledger", f"/files/{person_id}") is not None


def ledger_count(stack: RunningStack, sql: str, **params: object) -> int:
    return count_rows(stack.database_urls["ledger"], sql, **params)


def test_the_same_event_delivered_twice_has_one_effect(running_stack: RunningStack) -> None:
    key, duplicated, event_id = registration()
    sentinel_key, sentinel, _ = registration()
    topic = running_stack.topic("intake.person")
    asyncio.run(
        publish(running_stack.bootstrap, topic, [(key, duplicated)] * 2 + [(key, sentinel)])
    )
    # Published under the duplicate's key, so it is read after both copies.
    sentinel_person = sentinel_key.decode()
    person_id = key.decode()

    wait_for(lambda: file_exists(running_stack, sentinel_person), timeout=30, what="sentinel file")
    wait_for(lambda: running_stack.alerts_for(sentinel_person), timeout=30, what="sentinel alert")

    assert ledger_count(running_stack, "SELECT COUNT(*) FROM ledger_files WHERE person_id = :p",
                        p=person_id) == 1  # fmt: skip
    assert ledger_count(running_stack, "SELECT COUNT(*) FROM processed_events WHERE event_id = :e",
                        e=event_id) == 1  # fmt: skip
    assert ledger_count(running_stack, "SELECT COUNT(*) FROM outbox WHERE key = :p",
                        p=person_id) == 1  # fmt: skip
    assert len(running_stack.alerts_for(person_id)) == 1


def test_a_malformed_message_is_dead_lettered_and_the_rest_flows(
    running_stack: RunningStack,
) -> None:
    key, valid, _ = registration()
    broken_json = b'{"id": "not even json'
    wrong_payload = valid.replace(b'"person_id"', b'"persona_id"')
    topic = running_stack.topic("intake.person")
    asyncio.run(
        publish(
            running_stack.bootstrap, topic, [(key, broken_json), (key, wrong_payload), (key, valid)]
        )
    )

    wait_for(lambda: file_exists(running_stack, key.decode()), timeout=30, what="the valid event")

    def dead_letters() -> list[object]:
        records = asyncio.run(
            read_topic(running_stack.bootstrap, running_stack.topic("dlt.ledger"))
        )
        return [record for record in records if record.key == key]

    def two_dead_letters() -> list[Any] | None:
        letters = dead_letters()
        return letters if len(letters) == 2 else None

    letters = wait_for(two_dead_letters, timeout=15, what="two dead letters")
    assert [letter.value for letter in letters] == [broken_json, wrong_payload]
    for letter in letters:
        headers = {name: value.decode() for name, value in letter.headers}
        assert headers["dlt-consumer"] == "ledger"
        assert headers["dlt-original-topic"] == topic
        assert headers["dlt-error"]
        assert headers["dlt-error-type"] == "ValidationError"
    assert "person_id" in dict(letters[1].headers)["dlt-error"].decode()
    metrics = running_stack.get("ledger", "/metrics").text
    counted = metric_value(
        metrics, 'wushe_dead_letters_total{consumer="ledger",error_type="ValidationError"}'
    )
    assert counted >= 2


def test_a_consumer_killed_mid_stream_loses_nothing_and_repeats_nothing(
    running_stack: RunningStack,
) -> None:
    township = random.choice(list(current_codes("township", "42")))
    events = [registration(region=township) for _ in range(300)]
    topic = running_stack.topic("intake.person")
    applied = "SELECT COUNT(*) FROM ledger_files WHERE region_code = :r"

    asyncio.run(publish(running_stack.bootstrap, topic, [(k, v) for k, v, _ in events]))
    wait_for(lambda: ledger_count(running_stack, applied, r=township) >= 20, timeout=60,
             what="ledger to start on the stream")  # fmt: skip
    assert running_stack.stack is not None
    running_stack.stack.stop("ledger", sig=signal.SIGKILL)
    at_kill = ledger_count(running_stack, applied, r=township)
    assert at_kill < len(events), "the stream finished before the kill; make it longer"

    started = time.monotonic()
    running_stack.restart("ledger")
    wait_for(
        lambda: ledger_count(running_stack, applied, r=township) == len(events),
        timeout=90,
        what=lambda: (
            f"every event applied after the restart ({at_kill} at the kill, "
            f"{ledger_count(running_stack, applied, r=township)} now, of {len(events)})"
        ),
    )
    assert time.monotonic() - started < 90

    listed = ", ".join(f"'{event_id}'" for _, _, event_id in events)
    processed = ledger_count(
        running_stack, f"SELECT COUNT(*) FROM processed_events WHERE event_id IN ({listed})"
    )
    assert processed == len(events)
    opened = ledger_count(
        running_stack,
        "SELECT COUNT(*) FROM outbox WHERE event_type = 'ledger.file_opened' AND body LIKE :r",
        r=f'%"region_code":"{township}"%',
    )
    assert opened == len(events)


def test_an_operator_replays_a_dead_letter_once_its_cause_is_fixed(
    running_stack: RunningStack,
) -> None:
    key, valid, _ = registration()
    dead_letter_topic = running_stack.topic("dlt.ledger")
    # As the middleware writes it after a transient failure (say, the database was down).
    headers = [
        ("dlt-consumer", b"ledger"),
        ("dlt-error-type", b"OperationalError"),
        ("dlt-error", b"database is unavailable"),
        ("dlt-original-topic", running_stack.topic("intake.person").encode()),
    ]
    asyncio.run(publish(running_stack.bootstrap, dead_letter_topic, [(key, valid)], headers))
    assert not file_exists(running_stack, key.decode())

    replay_group = running_stack.topic("dlt-replay.ledger")
    replayed = asyncio.run(
        replay_dead_letters(running_stack.bootstrap, dead_letter_topic, replay_group)
    )
    assert replayed >= 1
    wait_for(lambda: file_exists(running_stack, key.decode()), timeout=30, what="replayed event")
