"""The FastStream Kafka broker every service uses, and the topics it needs."""

import contextlib
from collections.abc import Iterable

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry.sdk.trace import TracerProvider

from wushe.shared.dead_letter import DeadLetterMiddleware
from wushe.shared.metrics import throughput_middleware
from wushe.shared.settings import Settings

log = structlog.get_logger(__name__)

DEFAULT_PARTITIONS = 6
# A relay hands the producer a batch of outbox rows at once (500 by default, some 70 KB a
# partition). With aiokafka's 16 KB, a partition's next batch waits until the broker has
# taken the one before, a round trip each while the relay holds its turn to publish;
# 256 KB takes a partition's share in one batch, under the brokers' default 1 MB limit.
RELAY_BATCH_BYTES = 256 * 1024


def create_broker(
    settings: Settings,
    service: str,
    tracer_provider: TracerProvider,
    dead_letter: DeadLetterMiddleware | None = None,
) -> KafkaBroker:
    middlewares: list[object] = [
        KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
        throughput_middleware(service),
    ]
    if dead_letter is not None:
        middlewares.append(dead_letter)
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"wushe-{service}",
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        middlewares=middlewares,  # type: ignore[arg-type]
        logger=structlog.get_logger("faststream"),
    )
    if dead_letter is not None:
        dead_letter.bind(broker)
    return broker


def create_relay_producer(settings: Settings, service: str) -> AIOKafkaProducer:
    """The producer the outbox relay sends through: acknowledged by all replicas,
    idempotent where the broker supports it, batching what is sent together
    (``RELAY_BATCH_BYTES`` a partition)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"wushe-{service}-relay",
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        linger_ms=5,
        max_batch_size=RELAY_BATCH_BYTES,
    )


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], partitions: int = DEFAULT_PARTITIONS
) -> None:
    """Create missing topics with enough partitions for per-service scaling.

    Where operators manage topics themselves (no create permission), a failure is
    logged and the service starts anyway: the topics may already be there.
    """
    try:
        await _create_missing_topics(bootstrap_servers, set(topics), partitions)
    except KafkaError as error:
        log.warning("could not create topics; assuming they are managed", error=repr(error))


async def _create_missing_topics(bootstrap_servers: str, topics: set[str], partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="wushe-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(topics) - existing)
        if not missing:
            return
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(
                [
                    NewTopic(name, num_partitions=partitions, replication_factor=1)
                    for name in missing
                ]
            )
        log.info("topics created", topics=missing, partitions=partitions)
    finally:
        await admin.close()
