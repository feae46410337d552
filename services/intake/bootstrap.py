"""Intake's composition root."""

from pathlib import Path

from fastapi import FastAPI

from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.entrypoints import changes, consent, duplicates, http, imports
from wushe.intake.entrypoints.errors import add_error_handlers
from wushe.intake.service_layer.duplicate_sweep import DuplicateSweep
from wushe.intake.service_layer.import_jobs import ImportJobs
from wushe.shared.http import create_service_app
from wushe.shared.runtime import build_runtime
from wushe.shared.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    runtime = build_runtime("intake", MIGRATIONS, settings=settings)
    app = create_service_app(
        runtime,
        title="Wushe intake",
        description=(
            "Registers people in need (服务对象登记), keeps their details, groups and moves, "
            "their consents and the legal bases for using their data, and publishes "
            "`person.*` and `consent.*` events."
        ),
        routers=[http.router, changes.router, imports.router, consent.router, duplicates.router],
    )
    add_error_handlers(app)
    app.state.vault = PersonalDataVault(
        runtime.settings.field_cipher(), runtime.settings.data_key.get_secret_value()
    )
    app.state.import_jobs = ImportJobs(runtime, app.state.vault)
    runtime.background_jobs.append(DuplicateSweep(runtime.unit_of_work).run)
    return app
