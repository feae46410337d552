"""Prometheus metrics: throughput (FastStream's middleware), consumer lag, outbox backlog,
dead letters and delivery outcomes. Each process serves one service, so the default
registry is that service's."""

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY, Counter, Gauge

DEAD_LETTERS = Counter(
    "wushe_dead_letters_total", "Messages sent to a dead-letter topic", ["consumer", "error_type"]
)
ALERT_DELIVERIES = Counter(
    "wushe_alert_deliveries_total", "Webhook delivery attempts by outcome", ["outcome"]
)
OUTBOX_BACKLOG = Gauge("wushe_outbox_backlog", "Outbox rows not yet published")
CONSUMER_LAG = Gauge(
    "wushe_consumer_lag", "Messages behind the partition's end", ["topic", "partition"]
)


def throughput_middleware(service: str) -> KafkaPrometheusMiddleware:
    return KafkaPrometheusMiddleware(registry=REGISTRY, app_name=service)


async def refresh_consumer_lag(broker: KafkaBroker) -> None:
    """Lag per assigned partition: the broker's high watermark minus our position."""
    for subscriber in broker.subscribers:
        consumer: Any = getattr(subscriber, "consumer", None)
        if consumer is None:
            continue
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition)
            if highwater is None:
                continue
            position = await consumer.position(partition)
            CONSUMER_LAG.labels(partition.topic, str(partition.partition)).set(
                max(0, highwater - position)
            )
