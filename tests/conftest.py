"""Fixtures: one real broker for the session; the services on SQLite and on PostgreSQL."""

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.infrastructure import kafka_bootstrap, postgres_available, recreate_databases
from support.running_stack import RunningStack
from wushe.shared.settings import SERVICE_NAMES

os.environ.setdefault("WUSHE_ENVIRONMENT", "test")

BACKENDS = ["sqlite", "postgres"]


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
    names = {s: f"wushe_{label}_{s}" for s in SERVICE_NAMES}
    urls = asyncio.run(recreate_databases(list(names.values())))
    return {s: urls[name] for s, name in names.items()}


@pytest.fixture(scope="session", params=BACKENDS)
def running_stack(
    request: pytest.FixtureRequest, bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    backend = request.param
    data_dir = tmp_path_factory.mktemp(f"stack-{backend}")
    stack = RunningStack(
        backend=backend,
        bootstrap=bootstrap,
        data_dir=data_dir,
        database_urls=database_urls(backend, data_dir, "e2e"),
    )
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
