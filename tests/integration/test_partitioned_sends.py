"""Messages sent a batch per partition reach the partition `send` would have chosen, in the
order they were appended, with their headers; on the embedded broker."""

import uuid
from collections import defaultdict

from aiokafka import AIOKafkaProducer

from wushe.cli.topic_reader import read_topic
from wushe.shared.kafka import create_relay_producer, ensure_topics
from wushe.shared.partitioned_sends import PartitionedSends
from wushe.shared.settings import Settings

# Small enough that a few hundred messages fill several batches of each partition.
BATCH_BYTES = 4096


async def _producer(bootstrap: str) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_batch_size=BATCH_BYTES)
    await producer.start()
    return producer


async def test_each_key_keeps_the_partition_and_order_send_gives_it(
    bootstrap: str, topic_prefix: str
) -> None:
    sent_one_by_one, batched = f"{topic_prefix}one-by-one", f"{topic_prefix}batched"
    await ensure_topics(bootstrap, [sent_one_by_one, batched])
    keys = [str(uuid.uuid4()).encode() for _ in range(40)]
    messages = [(keys[index % len(keys)], f"{index:05d}".encode() * 40) for index in range(600)]
    producer = await _producer(bootstrap)
    try:
        for key, value in messages:
            await producer.send(sent_one_by_one, value, key=key)
        await producer.flush()
        sends = PartitionedSends(producer)
        for index, (key, value) in enumerate(messages):
            await sends.append(batched, key, value, [("n", str(index).encode())])
        await sends.delivered()
    finally:
        await producer.stop()

    def by_partition(records: list) -> dict[int, list[bytes]]:
        values: dict[int, list[bytes]] = defaultdict(list)
        for record in records:
            values[record.partition].append(record.value)
        return dict(values)

    expected = await read_topic(bootstrap, sent_one_by_one)
    received = await read_topic(bootstrap, batched)
    assert len(received) == len(messages)
    assert by_partition(received) == by_partition(expected)
    assert len(by_partition(received)) > 1
    for record in received:
        assert dict(record.headers)["n"] == str(int(record.value[:5])).encode()


async def test_a_message_larger_than_a_batch_goes_alone_between_its_neighbours(
    bootstrap: str, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}large"
    await ensure_topics(bootstrap, [topic])
    values = [b"before", b"x" * (BATCH_BYTES * 3), b"after"]
    producer = await _producer(bootstrap)
    try:
        sends = PartitionedSends(producer)
        for value in values:
            await sends.append(topic, b"one key", value, [])
        await sends.delivered()
    finally:
        await producer.stop()
    assert [record.value for record in await read_topic(bootstrap, topic)] == values


async def test_a_relays_producer_sends_a_partitions_share_of_a_batch_at_once(
    bootstrap: str, topic_prefix: str
) -> None:
    """A relay's batch of 500 rows of about 800 bytes, all for one partition, goes in two
    record batches, not in one for every 16 KB (each of which waits for the broker to take
    the one before)."""
    topic = f"{topic_prefix}relay-batches"
    await ensure_topics(bootstrap, [topic])
    producer = create_relay_producer(Settings(kafka_bootstrap_servers=bootstrap), "test")
    await producer.start()
    handed_over: list[int] = []
    send_batch = producer.send_batch

    async def counted(batch, topic, *, partition):  # type: ignore[no-untyped-def]
        handed_over.append(batch.record_count())
        return await send_batch(batch, topic, partition=partition)

    producer.send_batch = counted  # type: ignore[method-assign]
    try:
        sends = PartitionedSends(producer)
        for index in range(500):
            await sends.append(topic, b"one person", f"{index:05d}".encode() * 160, [])
        await sends.delivered()
    finally:
        await producer.stop()
    assert sum(handed_over) == 500
    assert len(handed_over) == 2
    received = await read_topic(bootstrap, topic)
    assert [int(record.value[:5]) for record in received] == list(range(500))
