"""Runs the whole platform on one machine: broker, four services, a demo partner; and
a service as several replicas, each a process of its own."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from wushe.cli.embedded_broker import start_broker
from wushe.shared.settings import SERVICE_NAMES, SERVICE_PORTS, Settings


def replica_name(service: str, replica: int) -> str:
    """A replica's process name: the first keeps the service's own, so that a stack of
    one replica each is addressed by service names alone."""
    return service if replica == 1 else f"{service}-{replica}"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, for a process about to be started."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    """Processes by name: a service's first replica under the service's name, the
    others as ``replica_name`` gives them; ``ports`` and the log files follow the names."""

    settings: Settings
    host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=lambda: dict(SERVICE_PORTS))
    log_dir: Path | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://{self.host}:{self.ports[name]}"

    def start_broker_if_embedded(self, broker_port: int = 9092) -> str:
        explicit = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if explicit:
            return explicit
        self.processes["broker"] = start_broker(self.host, broker_port)
        return f"{self.host}:{broker_port}"

    def start_service(
        self, service: str, extra_env: dict[str, str] | None = None, *, replica: int = 1
    ) -> str:
        """Starts one process of the service and returns its name. Every replica joins
        the service's consumer group and uses the database the environment names; a
        replica without a port in ``ports`` gets a free one."""
        name = replica_name(service, replica)
        if name not in self.ports:
            self.ports[name] = free_port(self.host)
        env = {**os.environ, **(extra_env or {})}
        command = [sys.executable, "-m", "wushe.cli.main", "serve", service,
                   "--host", self.host, "--port", str(self.ports[name])]  # fmt: skip
        output = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT if output else None
        )
        return name

    def start_replicas(
        self,
        service: str,
        count: int,
        extra_env: dict[str, str] | None = None,
        *,
        timeout: float = 90,
    ) -> list[str]:
        """Starts ``count`` replicas of the service at once and waits until all are ready;
        returns their names. They may start together: one migrates the database while
        the others wait for it (``shared/migrations.py``)."""
        names = [
            self.start_service(service, extra_env, replica=replica)
            for replica in range(1, count + 1)
        ]
        self.wait_ready(tuple(names), timeout)
        return names

    def start_services(self, extra_env: dict[str, str] | None = None) -> None:
        for service in SERVICE_NAMES:
            self.start_service(service, extra_env)

    def wait_ready(self, services: tuple[str, ...] = SERVICE_NAMES, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        pending = list(services)
        while pending:
            service = pending[0]
            process = self.processes.get(service)
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{service} exited with code {process.returncode}; see its log")
            try:
                if httpx.get(self.url(service) + "/ready", timeout=2).status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service} not ready after {timeout:.0f} s")
            time.sleep(0.2)

    def stop(self, service: str, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        process = self.processes.pop(service, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for service in [name for name in self.processes if name != "broker"]:
            self.stop(service)
        self.stop("broker")
