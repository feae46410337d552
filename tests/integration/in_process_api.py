"""A service's HTTP routers in process, over a database a test migrated, behind an HTTP
client: the API as a caller sees it, without starting the service."""

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import APIRouter, FastAPI

from integration.conftest import Sessions
from wushe.shared.runtime import ServiceRuntime, build_runtime
from wushe.shared.settings import ServiceSettings


@asynccontextmanager
async def serving(
    service: str,
    migrations: Path,
    sessions: Sessions,
    routers: Iterable[APIRouter],
    data_dir: Path,
    configure: Callable[[FastAPI], None] | None = None,
) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceRuntime]]:
    """``configure``: what the service's composition root adds to its app (error
    handlers, for example)."""
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = ServiceSettings(service=service, database_url=url, data_dir=data_dir)
    runtime = build_runtime(service, migrations, settings=settings)
    app = FastAPI()
    app.state.runtime, app.state.settings = runtime, settings
    for router in routers:
        app.include_router(router)
    if configure is not None:
        configure(app)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}") as client:
            yield client, runtime
    finally:
        await runtime.engine.dispose()
