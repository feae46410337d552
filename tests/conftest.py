"""Fixtures: one real broker for the session; the services on SQLite and on PostgreSQL."""

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from support.infrastructure import (
    drop_databases,
    kafka_bootstrap,
    postgres_available,
    recreate_databases,
)
from support.running_stack import RunningStack
from wushe.shared.settings import SERVICE_NAMES

os.environ.setdefault("WUSHE_ENVIRONMENT", "test")

BACKENDS = ["sqlite", "postgres"]

# Property tests check what every example does, not how fast: on a loaded machine a slow
# example is no failure.
hypothesis_settings.register_profile("wushe", deadline=None)
hypothesis_settings.load_profile("wushe")


@pytest.fixture(scope="session")
def bootstrap() -> Iterator[str]:
    with kafka_bootstrap() as servers:
        yield servers


def database_urls(backend: str, data_dir: Path, label: str) -> dict[str, str]:
    if backend == "sqlite":
        data_dir.mkdir(parents=True, exist_ok=True)
        return {s: f"sqlite+aiosqlite:///{data_dir / f'{s}.db'}" for s in SERVICE_NAMES}
    if not postgres_available():
        pytest.fail("PostgreSQL is not reachable; set WUSHE_TEST_POSTGRES_URL")
    names = {s: f"wushe_{label}_{s}" for s in SERVICE_NAMES}  # unique per run: runs may overlap
    urls = asyncio.run(recreate_databases(list(names.values())))
    return {s: urls[name] for s, name in names.items()}


@pytest.fixture(scope="session", params=BACKENDS)
def running_stack(
    request: pytest.FixtureRequest, bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    with stack_of(request.param, bootstrap, tmp_path_factory, SERVICE_NAMES) as stack:
        yield stack


@pytest.fixture(scope="module", params=BACKENDS)
def intake_alone(
    request: pytest.FixtureRequest, bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """Intake without the services that follow its events, for tests whose thousands of
    events would keep the others busy long after the test."""
    with stack_of(request.param, bootstrap, tmp_path_factory, ("intake",)) as stack:
        yield stack


@pytest.fixture(scope="module", params=BACKENDS)
def intake_and_ledger(
    request: pytest.FixtureRequest, bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """Intake and the ledger on topics of their own, for tests that must know every event
    the ledger has seen."""
    with stack_of(request.param, bootstrap, tmp_path_factory, ("intake", "ledger")) as stack:
        yield stack


@contextmanager
def stack_of(
    backend: str, bootstrap: str, tmp_path_factory: pytest.TempPathFactory,
    services: tuple[str, ...],
) -> Iterator[RunningStack]:  # fmt: skip
    data_dir = tmp_path_factory.mktemp(f"stack-{backend}")
    label = f"e2e{uuid.uuid4().hex[:8]}"
    urls = database_urls(backend, data_dir, label)
    stack = RunningStack(
        backend=backend,
        bootstrap=bootstrap,
        data_dir=data_dir,
        database_urls={service: urls[service] for service in services},
        services=services,
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        if backend == "postgres":
            asyncio.run(drop_databases([f"wushe_{label}_{s}" for s in SERVICE_NAMES]))
