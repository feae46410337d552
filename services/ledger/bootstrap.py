"""Ledger's composition root."""

from pathlib import Path

from fastapi import FastAPI

from wushe.ledger.entrypoints.cases import router as cases_router
from wushe.ledger.entrypoints.errors import add_error_handlers
from wushe.ledger.entrypoints.events import register_handlers
from wushe.ledger.entrypoints.http import router as files_router
from wushe.ledger.entrypoints.referrals import router as referrals_router
from wushe.ledger.entrypoints.reports import router as reports_router
from wushe.ledger.entrypoints.services import router as services_router
from wushe.ledger.entrypoints.stations import router as stations_router
from wushe.ledger.entrypoints.visits import router as visits_router
from wushe.ledger.service_layer.overdue import OverdueSweep, policy_from_environment
from wushe.ledger.service_layer.referral_escalation import ReferralEscalationSweep
from wushe.shared.events import topics
from wushe.shared.http import create_service_app
from wushe.shared.runtime import build_runtime
from wushe.shared.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime(
        "ledger",
        MIGRATIONS,
        consumes=[topics.PERSON, topics.CHARITY_FUND, topics.CHARITY_GOODS, topics.NOTIFY_ALERT],
        settings=settings,
        batched=True,
    )
    register_handlers(runtime)
    runtime.background_jobs.append(OverdueSweep(runtime, policy_from_environment()).run)
    runtime.background_jobs.append(ReferralEscalationSweep(runtime).run)
    app = create_service_app(
        runtime,
        title="Wushe ledger",
        description="One file per person (一人一档): the person's timeline, cases, visits, "
        "referrals and services, and the stations' reports.",
        routers=[
            files_router,
            cases_router,
            reports_router,
            visits_router,
            services_router,
            referrals_router,
            stations_router,
        ],
    )
    add_error_handlers(app)
    return app
