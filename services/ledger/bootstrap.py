"""Ledger's composition root."""

from pathlib import Path

from fastapi import FastAPI

from wushe.ledger.entrypoints.events import register_handlers
from wushe.ledger.entrypoints.http import router
from wushe.shared.events import topics
from wushe.shared.http import create_service_app
from wushe.shared.runtime import build_runtime
from wushe.shared.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime("ledger", MIGRATIONS, consumes=[topics.PERSON], settings=settings)
    register_handlers(runtime)
    return create_service_app(
        runtime,
        title="Wushe ledger",
        description="One file per person (一人一档): opened on `person.registered`.",
        routers=[router],
    )
