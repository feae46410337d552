"""A webhook receiver in a process of its own, for benchmarks: verifies each delivery
(Standard Webhooks) and notes when each alert's event first arrived, and when the first
`ledger.file_opened` alert about each person arrived.

    PUT /secret                   the partner's secret (text body)
    POST /hooks                   a delivery
    GET /arrivals                 {"arrivals": {"<event id>": <epoch seconds>, ...}, "rejected": n}
    GET /persons?after=<n>        {"arrivals": [["<person id>", <epoch seconds>], ...],
                                   "next": <n to ask after next>, "rejected": n}

aiohttp's server parses HTTP in C: the receiver costs the machine little beside the
pipeline it measures.

    .venv/bin/python bench/webhook_sink.py 8765
"""

import json
import sys
import time
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

arrivals: dict[str, float] = {}  # event id -> first arrival
person_arrivals: list[tuple[str, float]] = []  # in arrival order, each person once
seen_persons: set[str] = set()
state: dict[str, Any] = {"verifier": None, "rejected": 0}


async def set_secret(request: web.Request) -> web.Response:
    state["verifier"] = Webhook(await request.text())
    return web.Response(status=204)


async def receive(request: web.Request) -> web.Response:
    arrived = time.time()
    body = await request.read()
    try:
        alert = state["verifier"].verify(body, dict(request.headers))
    except (WebhookVerificationError, AttributeError):
        state["rejected"] += 1
        return web.Response(status=401)
    data = alert["data"]
    arrivals.setdefault(data["event_id"], arrived)
    person_id = data.get("person_id") or data.get("subject")
    if alert["type"] == "ledger.file_opened" and person_id and person_id not in seen_persons:
        seen_persons.add(person_id)
        person_arrivals.append((person_id, arrived))
    return web.Response(status=204)


async def event_arrivals(_: web.Request) -> web.Response:
    report = {"arrivals": arrivals, "rejected": state["rejected"]}
    return web.Response(body=json.dumps(report).encode(), content_type="application/json")


async def persons_after(request: web.Request) -> web.Response:
    after = int(request.query.get("after", "0"))
    end = len(person_arrivals)
    report = {"arrivals": person_arrivals[after:end], "next": end, "rejected": state["rejected"]}
    return web.Response(body=json.dumps(report).encode(), content_type="application/json")


def application() -> web.Application:
    app = web.Application(client_max_size=1 << 20)
    app.router.add_put("/secret", set_secret)
    app.router.add_post("/hooks", receive)
    app.router.add_get("/arrivals", event_arrivals)
    app.router.add_get("/persons", persons_after)
    return app


if __name__ == "__main__":
    web.run_app(application(), host="127.0.0.1", port=int(sys.argv[1]), backlog=2048,
                print=None, access_log=None)  # fmt: skip
