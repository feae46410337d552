"""The four services as processes on a real broker, with a webhook receiver."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from support.infrastructure import free_port
from wushe.cli.demo_receiver import ReceivedAlerts, start_receiver
from wushe.cli.stack import Stack
from wushe.shared.auth import Role, mint_token
from wushe.shared.settings import SERVICE_NAMES, Settings
from wushe.shared.trace_view import load_trace

T = TypeVar("T")

REGION = "420700"


def wait_for(
    condition: Callable[[], T], timeout: float = 15, what: str | Callable[[], str] = "condition"
) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            description = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout} s waiting for {description}")
        time.sleep(0.1)


@dataclass
class RunningStack:
    backend: str
    bootstrap: str
    data_dir: Path
    database_urls: dict[str, str]
    topic_prefix: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:8]}.")
    stack: Stack | None = None
    receiver_store: ReceivedAlerts = field(default_factory=ReceivedAlerts)
    receiver_url: str = ""
    partner_id: str = ""
    env: dict[str, str] = field(default_factory=dict)
    on_alert: Callable[[dict[str, Any]], None] | None = None
    log_level: str = "DEBUG"
    services: tuple[str, ...] = SERVICE_NAMES

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir)

    def start(self) -> None:
        ports = {service: free_port() for service in SERVICE_NAMES}
        self.env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "WUSHE_TOPIC_PREFIX": self.topic_prefix,
            "WUSHE_DATA_DIR": str(self.data_dir),
            "WUSHE_OUTBOX_POLL_SECONDS": "0.5",
            "WUSHE_REGION_CODE": REGION,
            # Consumer assignments and per-message logs, for diagnosing a failed test.
            "WUSHE_LOG_LEVEL": self.log_level,
            **{f"{s.upper()}_DATABASE_URL": url for s, url in self.database_urls.items()},
        }
        self.stack = Stack(self.settings, ports=ports, log_dir=self.data_dir / "logs")
        for service in self.services:
            self.stack.start_service(service, self.env)
        self.stack.wait_ready(self.services, timeout=90)
        if "notify" in self.services:
            self._add_partner()

    def _add_partner(self) -> None:
        receiver_port = free_port()
        start_receiver(receiver_port, self.receiver_store, self.on_alert)
        self.receiver_url = f"http://127.0.0.1:{receiver_port}/hooks"
        created = self.post(
            "notify", "/partners",
            {"name": f"partner-{self.backend}", "kind": "station", "regions": [REGION],
             "webhook_url": self.receiver_url},
        )  # fmt: skip
        self.partner_id = created["partner_id"]
        self.receiver_store.secret = created["webhook_secret"]
        for event_type in ("ledger.file_opened", "need.posted"):
            self.post(
                "notify",
                f"/partners/{self.partner_id}/subscriptions",
                {"event_type": event_type, "region_code": REGION},
            )

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop_all()

    def url(self, service: str) -> str:
        assert self.stack is not None
        return self.stack.url(service)

    def token(self, role: Role = Role.ADMIN, region: str = REGION) -> str:
        return mint_token(self.settings, subject=f"test-{role.value}", role=role, region=region)

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token()}"}

    def request(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("headers", self.headers())
        return httpx.request(method, self.url(service) + path, timeout=10, **kwargs)

    def post(self, service: str, path: str, body: dict[str, Any]) -> Any:
        response = self.request("POST", service, path, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, service: str, path: str) -> httpx.Response:
        return self.request("GET", service, path)

    def found(self, service: str, path: str) -> Any:
        """The resource's JSON, or None while it does not exist (yet)."""
        response = self.get(service, path)
        return response.json() if response.status_code == 200 else None

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def spans(self, trace_id: str) -> list[dict[str, Any]]:
        return load_trace(self.data_dir / "traces.jsonl", trace_id)

    def restart(self, service: str) -> None:
        assert self.stack is not None
        self.stack.start_service(service, self.env)
        self.stack.wait_ready((service,), timeout=90)

    def log_excerpt(self, service: str, needle: str = "assigned", lines: int = 20) -> str:
        path = self.data_dir / "logs" / f"{service}.log"
        if not path.exists():
            return ""
        found = [line for line in path.read_text(errors="replace").splitlines() if needle in line]
        return "\n".join(found[-lines:])

    def alerts_for(self, subject: str) -> list[dict[str, Any]]:
        with self.receiver_store.lock:
            return [
                alert for alert in self.receiver_store.by_id.values()
                if alert["data"]["subject"] == subject
            ]  # fmt: skip


def count_rows(database_url: str, sql: str, **params: Any) -> int:
    """Run a COUNT query against one service's database."""
    import asyncio

    from sqlalchemy import text

    from wushe.shared.db import create_engine

    async def run() -> int:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                return int((await connection.execute(text(sql), params)).scalar_one())
        finally:
            await engine.dispose()

    return asyncio.run(run())
