"""Reading topics as they stand, without joining a consumer group."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

Record: TypeAlias = ConsumerRecord[bytes, bytes]


class TopicsAsTheyStand:
    """Topics from their earliest records to the end offsets taken when they were opened;
    records written later are left out, so a reader of a busy topic still finishes."""

    def __init__(
        self,
        consumer: AIOKafkaConsumer,
        starts: dict[TopicPartition, int],
        ends: dict[TopicPartition, int],
    ) -> None:
        self._consumer = consumer
        self._starts = starts
        self._ends = ends

    def count(self, topic: str | None = None) -> int:
        """How many records there are to read, in ``topic`` or in all of them."""
        return sum(
            self._ends[partition] - self._starts[partition]
            for partition in self._ends
            if topic is None or partition.topic == topic
        )

    async def batches(self, topic: str) -> AsyncIterator[list[Record]]:
        """The topic's records, partition by partition in offset order, as they are fetched."""
        partitions = [partition for partition in self._ends if partition.topic == topic]
        while pending := [
            partition
            for partition in partitions
            if await self._consumer.position(partition) < self._ends[partition]
        ]:
            fetched = await self._consumer.getmany(*pending, timeout_ms=500)
            for partition, records in fetched.items():
                batch = [record for record in records if record.offset < self._ends[partition]]
                if batch:
                    yield batch


@asynccontextmanager
async def topics_as_they_stand(
    bootstrap: str, topics: Sequence[str]
) -> AsyncIterator[TopicsAsTheyStand]:
    """Open ``topics`` at their beginnings; a topic that does not exist reads as empty."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # refreshes metadata: a topic may be newer than the consumer
        assignment = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        starts: dict[TopicPartition, int] = {}
        ends: dict[TopicPartition, int] = {}
        if assignment:
            consumer.assign(assignment)
            starts = await consumer.beginning_offsets(assignment)
            reported = await consumer.end_offsets(assignment)
            ends = await _last_batches_read(consumer, starts, reported)
            await consumer.seek_to_beginning(*assignment)
        yield TopicsAsTheyStand(consumer, starts, ends)
    finally:
        await consumer.stop()


async def _last_batches_read(
    consumer: AIOKafkaConsumer, starts: dict[TopicPartition, int], ends: dict[TopicPartition, int]
) -> dict[TopicPartition, int]:
    """The end offsets past the last record of each partition's last batch.

    The embedded broker reports a partition's end one past the first record of the batch
    written last, however many records that batch holds; reading the batch finds its end.
    """
    ends = dict(ends)
    unread = {partition for partition, end in ends.items() if end > starts[partition]}
    for partition in unread:
        consumer.seek(partition, ends[partition] - 1)
    while unread:
        fetched = await consumer.getmany(*unread, timeout_ms=500)
        for partition, records in fetched.items():
            if records:
                ends[partition] = max(ends[partition], records[-1].offset + 1)
                unread.discard(partition)
        # A last offset without a record to read (a transaction marker) ends there.
        unread -= {p for p in unread if await consumer.position(p) >= ends[p]}
    return ends


async def read_topic(bootstrap: str, topic: str) -> list[Record]:
    """Every record now in ``topic``, partition by partition; empty if the topic is absent."""
    async with topics_as_they_stand(bootstrap, [topic]) as standing:
        return [record async for batch in standing.batches(topic) for record in batch]
