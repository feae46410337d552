"""Operators inspect a consumer's dead letters and replay them to their original topics."""

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from wushe.cli.topic_reader import read_topic


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    key: str
    original: str
    error_type: str
    error: str
    event_type: str


def _headers(record: object) -> dict[str, str]:
    return {name: value.decode(errors="replace") for name, value in record.headers}  # type: ignore[attr-defined]


def _letter(record: object) -> DeadLetter:
    headers = _headers(record)
    return DeadLetter(
        offset=record.offset,  # type: ignore[attr-defined]
        key=(record.key or b"").decode(errors="replace"),  # type: ignore[attr-defined]
        original=f"{headers.get('dlt-original-topic')}[{headers.get('dlt-original-partition')}]"
        f"@{headers.get('dlt-original-offset')}",
        error_type=headers.get("dlt-error-type", ""),
        error=headers.get("dlt-error", ""),
        event_type=headers.get("event-type", "?"),
    )


async def list_dead_letters(bootstrap: str, topic: str) -> list[DeadLetter]:
    return [_letter(record) for record in await read_topic(bootstrap, topic)]


async def replay_dead_letters(bootstrap: str, topic: str, replay_group: str) -> int:
    """Republish the letters not yet replayed to their original topics, in order, once each.

    Only letters present when the replay starts are replayed: a letter that fails again
    comes back to the topic and waits for the next replay instead of looping. The
    replayer's consumer group keeps its position, so a second run does not repeat one.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=replay_group, enable_auto_commit=False
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assignment:
            return 0
        consumer.assign(assignment)
        ends = await consumer.end_offsets(assignment)
        for partition in assignment:
            committed = await consumer.committed(partition)
            if committed is None:
                await consumer.seek_to_beginning(partition)
            else:
                consumer.seek(partition, committed)
        while pending := [tp for tp in assignment if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            for partition, records in batch.items():
                for record in records:
                    if record.offset >= ends[partition]:
                        break
                    await _republish(producer, record)
                    replayed += 1
                    await consumer.commit({partition: record.offset + 1})
        return replayed
    finally:
        await producer.stop()
        await consumer.stop()


async def _republish(producer: AIOKafkaProducer, record: object) -> None:
    headers = _headers(record)
    keep = [
        (name, value.encode()) for name, value in headers.items() if not name.startswith("dlt-")
    ]
    await producer.send_and_wait(
        headers["dlt-original-topic"],
        record.value,  # type: ignore[attr-defined]
        key=record.key,  # type: ignore[attr-defined]
        headers=keep,
    )
