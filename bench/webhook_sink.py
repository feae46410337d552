"""A webhook receiver in a process of its own, for benchmarks: verifies each delivery
(Standard Webhooks) and notes when each alert's event first arrived.

    PUT /secret     the partner's secret (text body)
    POST /hooks     a delivery
    GET /arrivals   {"<event id>": <epoch seconds>, ...} and how many were rejected
"""

import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

arrivals: dict[str, float] = {}
state: dict[str, Any] = {"verifier": None, "rejected": 0}


async def body_of(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def answer(send: Send, status: int, body: bytes = b"") -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    body = await body_of(receive)
    method, path = scope["method"], scope["path"]
    if method == "PUT" and path == "/secret":
        state["verifier"] = Webhook(body.decode())
        return await answer(send, 204)
    if method == "GET" and path == "/arrivals":
        report = {"arrivals": arrivals, "rejected": state["rejected"]}
        return await answer(send, 200, json.dumps(report).encode())
    arrived = time.time()
    headers = {key.decode(): value.decode() for key, value in scope["headers"]}
    try:
        alert = state["verifier"].verify(body, headers)
    except (WebhookVerificationError, AttributeError):
        state["rejected"] += 1
        return await answer(send, 401)
    arrivals.setdefault(alert["data"]["event_id"], arrived)
    await answer(send, 204)


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                backlog=2048)  # fmt: skip
