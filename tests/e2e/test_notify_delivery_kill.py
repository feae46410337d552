"""Notify killed (SIGKILL) while its webhook calls are in flight loses no alert: after a
restart every alert reaches the partner, each once by its webhook-id."""

import asyncio
import json
import random
import signal
import uuid
from collections.abc import Iterator

import pytest

from support.kafka_tools import publish
from support.running_stack import REGION, RunningStack, count_rows, wait_for
from support.webhook_receivers import Receiver, start
from wushe.shared.divisions import current_codes
from wushe.shared.events import Producer, new_event
from wushe.shared.events.intake import PersonRegistered

TEST_PRODUCER = Producer(service="test", deployment="test")
ALERTS = 40
# After the restart: leases short enough for the test to wait them out, and calls shorter.
RESTART_ENV = {"WUSHE_NOTIFY_LEASE_SECONDS": "3", "WUSHE_NOTIFY_TIMEOUT_SECONDS": "2.5"}


def registration(region: str) -> tuple[bytes, bytes]:
    person_id = uuid.uuid4()
    event = new_event(
        PersonRegistered(person_id=person_id, residence_region=region,
                         station_region=region, groups=["elderly_living_alone"]),
        subject=str(person_id), region_code=region, producer=TEST_PRODUCER,
    )  # fmt: skip
    return str(person_id).encode(), event.to_bytes()


@pytest.fixture
def slow_receiver() -> Iterator[Receiver]:
    # Each call takes a second: the kill lands while calls are waiting for their answer.
    receiver = start(Receiver(delay_seconds=1.0))
    yield receiver
    receiver.stop()


def test_notify_killed_mid_delivery_loses_no_alert(
    running_stack: RunningStack, slow_receiver: Receiver
) -> None:
    township = random.choice(list(current_codes("township", REGION[:4])))
    partner = running_stack.post(
        "notify", "/partners",
        {"name": "银龄志愿服务队", "kind": "volunteer_team", "regions": [township],
         "webhook_url": slow_receiver.url},
    )  # fmt: skip
    slow_receiver.secrets = [partner["webhook_secret"]]
    running_stack.post(
        "notify", f"/partners/{partner['partner_id']}/subscriptions",
        {"event_type": "ledger.file_opened", "region_code": township},
    )  # fmt: skip
    alerts = "SELECT COUNT(*) FROM alerts WHERE partner_id = :p"
    delivered = alerts + " AND status = 'delivered'"
    notify_db = running_stack.database_urls["notify"]

    events = [registration(township) for _ in range(ALERTS)]
    asyncio.run(publish(running_stack.bootstrap, running_stack.topic("intake.person"), events))
    wait_for(lambda: len(slow_receiver.requests) >= 1, timeout=60, what="the first webhook call")
    assert running_stack.stack is not None
    running_stack.stack.stop("notify", sig=signal.SIGKILL)
    at_kill = count_rows(notify_db, delivered, p=partner["partner_id"])
    assert at_kill < ALERTS, "every alert was delivered before the kill"

    running_stack.env.update(RESTART_ENV)
    try:
        running_stack.restart("notify")
        wait_for(
            lambda: (
                len(slow_receiver.accepted) == ALERTS
                and count_rows(notify_db, delivered, p=partner["partner_id"]) == ALERTS
            ),
            timeout=120,
            what=lambda: (
                f"all {ALERTS} alerts delivered after the restart ({at_kill} at the kill, "
                f"{len(slow_receiver.accepted)} received now)"
            ),
        )
    finally:
        for name in RESTART_ENV:
            running_stack.env.pop(name, None)
    assert count_rows(notify_db, alerts, p=partner["partner_id"]) == ALERTS
    assert slow_receiver.rejected == 0
    # One alert per registration, each received once whatever the retries after the kill.
    assert {json.loads(body)["type"] for body in slow_receiver.accepted.values()} == {
        "ledger.file_opened"
    }
    assert len(slow_receiver.requests) >= ALERTS
