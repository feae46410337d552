"""Charity's composition root."""

from pathlib import Path

from fastapi import FastAPI

from wushe.charity.entrypoints.http import router
from wushe.shared.http import create_service_app
from wushe.shared.runtime import build_runtime
from wushe.shared.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime("charity", MIGRATIONS, settings=settings)
    return create_service_app(
        runtime,
        title="Wushe charity",
        description="Donations, campaigns and community funds; publishes `donation.received`.",
        routers=[router],
    )
