"""Real HTTP receivers for delivery tests: one that fails its first N requests, then
verifies signatures and keeps each alert once by its ``webhook-id``."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from support.infrastructure import free_port


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    fail_first: int = 0
    delay_seconds: float = 0.0
    requests: list[dict[str, str]] = field(default_factory=list)  # headers of every request
    targets: list[str] = field(default_factory=list)  # the request line's target of each
    accepted: dict[str, bytes] = field(default_factory=dict)  # webhook-id -> body, once
    rejected: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    server: ThreadingHTTPServer | None = None

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests.append(headers)
            failing = len(self.requests) <= self.fail_first
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        if failing:
            return 503
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            with self.lock:
                self.accepted.setdefault(headers["webhook-id"], body)
            return 204
        with self.lock:
            self.rejected += 1
        return 401

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 refuses a burst of new connections


def start(receiver: Receiver) -> Receiver:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {key.lower(): value for key, value in self.headers.items()}
            with receiver.lock:
                receiver.targets.append(self.path)
            self.send_response(receiver.answer(headers, body))
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    port = free_port()
    server = Server(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="test-receiver").start()
    receiver.server, receiver.url = server, f"http://127.0.0.1:{port}/hooks"
    return receiver
