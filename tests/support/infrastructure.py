"""Picks the broker and databases as architecture.md says: environment, Docker, local."""

import asyncio
import contextlib
import os
from collections.abc import Iterator

import asyncpg

from wushe.cli.stack import free_port as free_port

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def kafka_bootstrap() -> Iterator[str]:
    """KAFKA_BOOTSTRAP_SERVERS, else a Kafka testcontainer, else the embedded broker."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    if docker_answers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as kafka:
            yield kafka.get_bootstrap_server()
        return
    from wushe.cli.embedded_broker import start_broker

    port = free_port()
    process = start_broker("127.0.0.1", port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def postgres_admin_url() -> str:
    return os.environ.get("WUSHE_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


def postgres_available() -> bool:
    async def probe() -> bool:
        try:
            connection = await asyncpg.connect(postgres_admin_url(), timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await connection.close()
        return True

    return asyncio.run(probe())


async def recreate_databases(names: list[str]) -> dict[str, str]:
    """Fresh PostgreSQL databases; returns SQLAlchemy async URLs by name."""
    admin_url = postgres_admin_url()
    connection = await asyncpg.connect(admin_url)
    try:
        for name in names:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return {name: f"{base}/{name}" for name in names}


async def drop_databases(names: list[str]) -> None:
    connection = await asyncpg.connect(postgres_admin_url())
    try:
        for name in names:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
