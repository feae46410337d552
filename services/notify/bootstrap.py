"""Notify's composition root."""

from pathlib import Path

from fastapi import FastAPI

from wushe.notify.entrypoints.events import register_handlers
from wushe.notify.entrypoints.http import router
from wushe.notify.service_layer.delivery import DeliveryWorker
from wushe.shared.events import topics
from wushe.shared.http import create_service_app
from wushe.shared.runtime import build_runtime
from wushe.shared.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime(
        "notify",
        MIGRATIONS,
        consumes=[topics.LEDGER_FILE, topics.CHARITY_FUND, topics.CHARITY_NEED],
        settings=settings,
    )
    worker = DeliveryWorker(runtime.sessions)
    register_handlers(runtime, worker.wake)
    runtime.background_jobs.append(worker.run)
    return create_service_app(
        runtime,
        title="Wushe notify",
        description="Partner registry, subscriptions and signed webhook delivery of alerts.",
        routers=[router],
    )
