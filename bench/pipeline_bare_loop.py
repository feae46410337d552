"""The limit the pipeline is measured against: a bare aiokafka produce->consume loop on
the same broker, with events like intake's `person.registered` (built with the event
model, keyed by the person, with a W3C traceparent header) on a topic of as many
partitions as the services' topics.

A producer in a process of its own sends as fast as it can, with the relays' settings
(acks from all replicas, 5 ms linger); this process consumes, as the services do, with no
work per message. Sustained rate: messages consumed per second while the producer keeps
producing. Latency: at a moderate steady rate, from the producer's timestamp of each
message to its consumption (the broker's timestamps are milliseconds).

    .venv/bin/python bench/pipeline_bare_loop.py --seconds 10
"""

import argparse
import asyncio
import multiprocessing
import os
import secrets
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from one_service import cpu_seconds, percentile

from support.infrastructure import kafka_bootstrap
from wushe.shared.events import Producer, new_event
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.field_encryption import partner_alert_context
from wushe.shared.kafka import DEFAULT_PARTITIONS, ensure_topics
from wushe.shared.settings import Settings

Headers = list[tuple[str, bytes]]
REGION = "420704"
LATENCY_RATE = 1000.0  # messages a second while latency is measured
LATENCY_SECONDS = 4.0
# The first moments include connecting and the consumer's first fetches.
SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class BareLoop:
    per_second: float  # consumed while the producer kept producing
    message_bytes: int  # on average: value, key and headers
    latency_p50_ms: float
    latency_p99_ms: float
    latency_rate: float
    messages: int  # consumed in the whole loop, at the steady rate and flat out
    cpu_seconds: float | None  # producer's and consumer's, over the whole loop

    @property
    def per_cpu_second(self) -> float | None:
        """Messages per CPU-second: what the machine's other work changes least."""
        return self.messages / self.cpu_seconds if self.cpu_seconds else None


def registered_message(child_at_risk: bool = False) -> tuple[bytes, bytes, Headers]:
    """Key, value and headers of a `person.registered` as intake's relay publishes it; a
    child at risk's carries the sealed name and address."""
    person_id = uuid.uuid4()
    cipher = Settings().field_cipher()
    sealed = {
        "name_sealed": cipher.encrypt("欧阳子涵", partner_alert_context("name")),
        "address_sealed": cipher.encrypt("滨湖南路128号", partner_alert_context("address")),
    }  # fmt: skip
    event = new_event(
        PersonRegistered(
            person_id=person_id, residence_region=f"{REGION}104217", station_region="420700",
            groups=["child_left_behind"] if child_at_risk else ["elderly_living_alone"],
            household_region=REGION, sex="female", age_band="6-17" if child_at_risk else "80+",
            **(sealed if child_at_risk else {}),
        ),
        subject=str(person_id), region_code=f"{REGION}104217",
        producer=Producer(service="intake", deployment="local"), actor="bench",
    )  # fmt: skip
    traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01".encode()
    headers = [
        ("content-type", b"application/json"), ("event-type", event.type.encode()),
        ("event-id", str(event.id).encode()), ("traceparent", traceparent),
    ]  # fmt: skip
    return str(person_id).encode(), event.to_bytes(), headers


def produce(bootstrap: str, topic: str, rate: float, rate_seconds: float, flat_out: float) -> None:
    """Runs in its own process: ``rate_seconds`` at ``rate`` a second, then as fast as it
    can for ``flat_out`` seconds."""
    asyncio.run(_produce(bootstrap, topic, rate, rate_seconds, flat_out))


async def _produce(
    bootstrap: str, topic: str, rate: float, rate_seconds: float, flat_out: float
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    # A few messages sent over and over with fresh keys: building an envelope each time
    # would measure pydantic, not the loop. One in four is a child at risk's, as in the
    # generated ledgers.
    messages = [registered_message(child_at_risk=n % 4 == 0) for n in range(4)]
    keys = [str(uuid.uuid4()).encode() for _ in range(4096)]
    try:
        started = time.perf_counter()
        for index in range(int(rate * rate_seconds)):
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
            _, value, headers = messages[index % len(messages)]
            await producer.send(topic, value, key=keys[index % len(keys)], headers=headers)
        ends = time.perf_counter() + flat_out
        pending = []
        index = 0
        while time.perf_counter() < ends:
            _, value, headers = messages[index % len(messages)]
            pending.append(
                await producer.send(topic, value, key=keys[index % len(keys)], headers=headers)
            )
            index += 1
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def consume(bootstrap: str, topic: str, rate_seconds: float, flat_out: float) -> BareLoop:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
        fetch_max_wait_ms=50, auto_offset_reset="earliest",
    )  # fmt: skip
    await consumer.start()
    consumer.assign([TopicPartition(topic, p) for p in range(DEFAULT_PARTITIONS)])
    latency_count = int(LATENCY_RATE * rate_seconds)
    latencies: list[float] = []
    counted, first_counted_at, last_at = 0, None, 0.0
    sizes = 0
    cpu_before = cpu_seconds(os.getpid(), with_ended_children=True)
    try:
        context = multiprocessing.get_context("spawn")
        producer = context.Process(
            target=produce, args=(bootstrap, topic, LATENCY_RATE, rate_seconds, flat_out)
        )
        producer.start()
        seen = 0
        while producer.is_alive() or seen == 0:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            now = time.time()
            for records in batches.values():
                for record in records:
                    seen += 1
                    sizes += (
                        len(record.value or b"") + len(record.key or b"")
                        + sum(len(name) + len(value) for name, value in record.headers)
                    )  # fmt: skip
                    if seen <= latency_count:
                        latencies.append(now * 1000 - record.timestamp)
                        continue
                    if first_counted_at is None:
                        first_counted_at = time.perf_counter() + SETTLE_SECONDS
                    elif time.perf_counter() >= first_counted_at:
                        counted += 1
                        last_at = time.perf_counter()
        producer.join()
        cpu_after = cpu_seconds(os.getpid(), with_ended_children=True)
    finally:
        await consumer.stop()
    window = last_at - first_counted_at if first_counted_at else 0.0
    return BareLoop(
        per_second=counted / window if window > 0 else 0.0,
        message_bytes=round(sizes / seen) if seen else 0,
        latency_p50_ms=statistics.median(latencies) if latencies else float("nan"),
        latency_p99_ms=percentile(latencies, 0.99) if latencies else float("nan"),
        latency_rate=LATENCY_RATE, messages=seen,
        cpu_seconds=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
    )  # fmt: skip


async def measure_bare_loop(bootstrap: str, topic_prefix: str, seconds: float) -> BareLoop:
    topic = f"{topic_prefix}bare-loop"
    await ensure_topics(bootstrap, [topic])
    return await consume(bootstrap, topic, LATENCY_SECONDS, seconds + SETTLE_SECONDS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="producing flat out")
    args = parser.parse_args()
    with kafka_bootstrap() as bootstrap:
        loop = asyncio.run(
            measure_bare_loop(bootstrap, f"bare{uuid.uuid4().hex[:6]}.", args.seconds)
        )
    print(f"bare loop: {loop.per_second:,.0f} messages/s consumed while producing "
          f"({loop.message_bytes} bytes each); latency at {loop.latency_rate:,.0f}/s: "
          f"p50 {loop.latency_p50_ms:.1f} ms, p99 {loop.latency_p99_ms:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
