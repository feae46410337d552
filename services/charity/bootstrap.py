"""Charity's composition root."""

from pathlib import Path

from fastapi import FastAPI

from wushe.charity.entrypoints.campaigns import router as campaigns_router
from wushe.charity.entrypoints.disbursements import router as disbursements_router
from wushe.charity.entrypoints.donations import router as donations_router
from wushe.charity.entrypoints.donors import router as donors_router
from wushe.charity.entrypoints.events import register_handlers
from wushe.charity.entrypoints.goods import router as goods_router
from wushe.charity.entrypoints.http import router as funds_router
from wushe.charity.entrypoints.needs import router as needs_router
from wushe.charity.entrypoints.statements import router as statements_router
from wushe.charity.entrypoints.time_bank import router as time_bank_router
from wushe.charity.entrypoints.trails import router as trails_router
from wushe.shared.events import topics
from wushe.shared.http import create_service_app
from wushe.shared.runtime import build_runtime
from wushe.shared.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime(
        "charity",
        MIGRATIONS,
        consumes=[topics.PERSON, topics.LEDGER_FILE, topics.CHARITY_ONLINE_DONATION],
        settings=settings,
    )
    register_handlers(runtime)
    return create_service_app(
        runtime,
        title="Wushe charity",
        description="Donations, funds and campaigns in double-entry accounts, goods in kind, "
        "needs and offers (点单/接单) and the volunteers' time bank.",
        routers=[
            funds_router,
            donations_router,
            donors_router,
            disbursements_router,
            campaigns_router,
            trails_router,
            goods_router,
            needs_router,
            time_bank_router,
            statements_router,
        ],
    )
