"""The running delivery loop: a partner that takes seconds to answer holds back nobody
else's alerts, and an alert created while it waits is delivered at once when woken."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest

from integration.conftest import MigratedDatabase
from integration.notify_outbound import MIGRATIONS, Sessions, add_alert, add_partner, alert, cipher
from support.webhook_receivers import Receiver, start
from wushe.notify.config import DeliverySettings
from wushe.notify.service_layer.channels import open_senders
from wushe.notify.service_layer.delivery import DeliveryWorker


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    slow, fast = start(Receiver(delay_seconds=3)), start(Receiver())
    yield slow, fast
    slow.stop()
    fast.stop()


async def test_a_slow_partner_holds_back_no_one_else(
    migrated_database: MigratedDatabase, receivers: tuple[Receiver, Receiver]
) -> None:
    sessions: Sessions = await migrated_database("notify", MIGRATIONS)
    slow, fast = receivers
    slow_partner, slow_secret = await add_partner(sessions, slow.url)
    fast_partner, fast_secret = await add_partner(sessions, fast.url)
    slow.secrets, fast.secrets = [slow_secret], [fast_secret]
    settings = DeliverySettings(poll_seconds=5)  # only a wake starts a round this soon
    worker = DeliveryWorker(sessions, cipher(), settings)
    slow_alert = await add_alert(sessions, slow_partner)

    async with open_senders(settings) as senders:
        running = asyncio.create_task(worker.run(senders))
        try:
            await wait_until(lambda: len(slow.requests) == 1, 5)
            fast_alert = await add_alert(sessions, fast_partner)
            woken = time.monotonic()
            worker.wake()
            await wait_until(lambda: fast_alert in fast.accepted, 2)
            assert time.monotonic() - woken < 1.0
            assert slow_alert not in slow.accepted  # still waiting for its answer
            await wait_until(lambda: slow_alert in slow.accepted, 5)
            await wait_until(lambda: all_delivered(sessions, slow_alert, fast_alert), 5)
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)


async def all_delivered(sessions: Sessions, *alert_ids: str) -> bool:
    return all([(await alert(sessions, a)).status == "delivered" for a in alert_ids])


async def wait_until(condition: Callable[[], bool | Awaitable[bool]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        outcome = condition()
        if isinstance(outcome, Awaitable):
            outcome = await outcome
        if outcome:
            return
        assert time.monotonic() < deadline, f"not within {seconds} s"
        await asyncio.sleep(0.02)
