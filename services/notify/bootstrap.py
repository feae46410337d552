"""Notify's composition root."""

from pathlib import Path

from fastapi import FastAPI

from wushe.notify.adapters.thank_you_channels import thank_you_channels
from wushe.notify.config import DeliverySettings
from wushe.notify.entrypoints.deliveries import router as deliveries_router
from wushe.notify.entrypoints.events import register_handlers
from wushe.notify.entrypoints.http import router
from wushe.notify.entrypoints.sharing_http import router as sharing_router
from wushe.notify.entrypoints.thanks import router as thanks_router
from wushe.notify.service_layer.alert_events import AlertEvents
from wushe.notify.service_layer.channels import open_senders
from wushe.notify.service_layer.delivery import DeliveryWorker
from wushe.notify.service_layer.donor_thanks import ThanksSender
from wushe.notify.service_layer.routing import Router
from wushe.notify.service_layer.sweeps import Sweeper
from wushe.shared.events import topics
from wushe.shared.http import create_service_app
from wushe.shared.runtime import build_runtime
from wushe.shared.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"
# An alert's latency starts with the fetch that brings its event, and the embedded broker
# holds every fetch for its whole wait: a shorter one than the other services' (50 ms)
# costs a few more idle polls and takes most of that wait off each alert.
FETCH_MAX_WAIT_MS = 20


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime(
        "notify",
        MIGRATIONS,
        # intake.person: children registered, and consents to share a person's data.
        consumes=[topics.PERSON, topics.LEDGER_FILE, topics.CHARITY_FUND, topics.CHARITY_NEED],
        settings=settings,
        batched=True,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
    )
    delivery = DeliverySettings()
    worker = DeliveryWorker(runtime.sessions, runtime.settings.field_cipher(), delivery)
    alert_router = Router(runtime.settings.field_cipher(), events=AlertEvents.of(runtime))
    register_handlers(runtime, alert_router, worker.wake_after_batch, fresh_alerts=worker)
    sweeper = Sweeper(runtime.sessions, alert_router, on_alerts=worker.wake)
    runtime.background_jobs.append(sweeper.run)
    cipher = runtime.settings.field_cipher()
    thanks = ThanksSender(runtime.sessions, thank_you_channels(delivery), cipher)
    runtime.background_jobs.append(thanks.run)

    async def deliver_alerts() -> None:
        async with open_senders(delivery) as senders:
            await worker.run(senders)

    runtime.background_jobs.append(deliver_alerts)
    return create_service_app(
        runtime,
        title="Wushe notify",
        description="Partner registry, subscriptions and signed webhook delivery of alerts.",
        routers=[router, deliveries_router, sharing_router, thanks_router],
    )
