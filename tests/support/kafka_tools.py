"""Raw Kafka access for tests: publish bytes as any producer would."""

from typing import Any

from aiokafka import AIOKafkaProducer


async def publish(
    bootstrap: str,
    topic: str,
    messages: list[tuple[bytes, bytes]],
    headers: list[Any] | None = None,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key, headers=headers or [])
    finally:
        await producer.stop()
