"""FastAPI scaffolding every service shares: lifespan, health, readiness, AsyncAPI, tracing."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from faststream.specification import AsyncAPI, get_asyncapi_html
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wushe.shared.metrics import OUTBOX_BACKLOG, refresh_consumer_lag
from wushe.shared.relay import unpublished_count
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.telemetry import current_trace_id

TRACE_HEADER = "X-Trace-Id"


def asyncapi_document(runtime: ServiceRuntime) -> dict[str, Any]:
    spec = AsyncAPI(
        runtime.broker,
        title=f"wushe-{runtime.name}",
        version="1.0.0",
        description=f"Events the {runtime.name} service publishes and consumes.",
    )
    document: dict[str, Any] = spec.to_specification().to_jsonable()
    return document


async def get_runtime(request: Request) -> ServiceRuntime:
    # A coroutine, as every dependency here: FastAPI runs a plain function on a worker
    # thread, a hand-off that costs a request more than the lookup.
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]

health_router = APIRouter(tags=["operations"])


@health_router.get("/health", summary="Liveness")
async def health(runtime: RuntimeDep) -> dict[str, str]:
    return {"status": "ok", "service": runtime.name}


@health_router.get("/ready", summary="Readiness: database and broker reachable")
async def ready(runtime: RuntimeDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {error}"
    checks["broker"] = "ok" if await runtime.broker.ping(timeout=2.0) else "unreachable"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse({"ready": healthy, **checks}, status_code=200 if healthy else 503)


@health_router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
async def metrics(runtime: RuntimeDep) -> PlainTextResponse:
    OUTBOX_BACKLOG.set(await unpublished_count(runtime.sessions))
    await refresh_consumer_lag(runtime.broker)
    return PlainTextResponse(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


@health_router.get("/asyncapi.json", summary="AsyncAPI document of this service's events")
async def asyncapi_json(runtime: RuntimeDep) -> dict[str, Any]:
    return asyncapi_document(runtime)


@health_router.get("/asyncapi", response_class=HTMLResponse, include_in_schema=False)
async def asyncapi_html(runtime: RuntimeDep) -> HTMLResponse:
    spec = AsyncAPI(runtime.broker, title=f"wushe-{runtime.name}", version="1.0.0")
    return HTMLResponse(get_asyncapi_html(spec.to_specification()))


class TraceIdHeader:
    """Answers every request with the id of the trace it ran in. Written for ASGI
    directly: Starlette's `BaseHTTPMiddleware` runs each request in a task of its own, with
    streams between them, a cost every request pays."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_trace_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                trace_id = current_trace_id()
                if trace_id:
                    MutableHeaders(scope=message)[TRACE_HEADER] = trace_id
            await send(message)

        await self.app(scope, receive, send_with_trace_id)


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.settings = runtime.settings
    app.include_router(health_router)
    for router in routers:
        app.include_router(router)

    app.add_middleware(TraceIdHeader)
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=runtime.tracer_provider,
        excluded_urls="/health,/ready,/asyncapi,/metrics",
        exclude_spans=["receive", "send"],
    )
    return app
