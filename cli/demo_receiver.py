"""A local webhook receiver that verifies Standard Webhooks signatures and shows alerts."""

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class ReceivedAlerts:
    """What a receiver got, verified and deduplicated by webhook-id."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.by_id: dict[str, dict[str, Any]] = {}
        self.deliveries = 0
        self.rejected = 0
        self.lock = threading.Lock()


def make_handler(
    store: ReceivedAlerts, on_alert: Callable[[dict[str, Any]], None] | None
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                if store.secret is None:
                    raise WebhookVerificationError("receiver has no secret yet")
                payload = Webhook(store.secret).verify(body, headers)
            except WebhookVerificationError as error:
                with store.lock:
                    store.rejected += 1
                self.send_response(401)
                self.end_headers()
                self.wfile.write(str(error).encode())
                return
            with store.lock:
                store.deliveries += 1
                first = headers["webhook-id"] not in store.by_id
                store.by_id.setdefault(headers["webhook-id"], payload | {"headers": headers})
            if first and on_alert:
                on_alert(payload)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


class _Server(ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True


def start_receiver(
    port: int, store: ReceivedAlerts, on_alert: Callable[[dict[str, Any]], None] | None = None
) -> ThreadingHTTPServer:
    server = _Server(("127.0.0.1", port), make_handler(store, on_alert))
    threading.Thread(target=server.serve_forever, daemon=True, name="demo-receiver").start()
    return server


def print_alert(payload: dict[str, Any]) -> None:
    print(
        "\n🔔 alert received by the demo partner:\n"
        + json.dumps(payload, ensure_ascii=False, indent=2)
    )
