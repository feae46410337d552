"""A partner whose profile names an email desk and a mobile number gets each alert by
webhook, email (a real SMTP server) and SMS; a retry goes only to the channel that
failed, so the webhook is called once and the mail arrives once."""

from collections.abc import AsyncIterator, Iterator

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select
from structlog.testing import capture_logs

from integration.conftest import MigratedDatabase
from integration.notify_outbound import (
    MIGRATIONS,
    Clock,
    Sessions,
    add_alert,
    add_partner,
    alert,
    cipher,
)
from support.local_smtp import serving_smtp
from support.webhook_receivers import Receiver, start
from wushe.notify.adapters.orm import DeliveryAttemptRecord
from wushe.notify.adapters.sharing_orm import PartnerProfileRecord
from wushe.notify.config import DeliverySettings
from wushe.notify.service_layer.channels import Senders, open_senders
from wushe.notify.service_layer.delivery import DeliveryWorker


class BusyThenReadyMailbox:
    """Answers the first message with a temporary failure, then accepts."""

    def __init__(self) -> None:
        self.refused = 0
        self.accepted: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refused == 0:
            self.refused += 1
            return "451 4.3.0 mailbox busy, try again later"
        self.accepted.append(envelope)
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[BusyThenReadyMailbox, int]]:
    box = BusyThenReadyMailbox()
    with serving_smtp(box) as port:
        yield box, port


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = start(Receiver())
    yield started
    started.stop()


@pytest.fixture
async def sessions(migrated_database: MigratedDatabase) -> Sessions:
    return await migrated_database("notify", MIGRATIONS)


@pytest.fixture
async def channels(mailbox: tuple[BusyThenReadyMailbox, int]) -> AsyncIterator[Senders]:
    settings = DeliverySettings(
        smtp_port=mailbox[1], smtp_from="alerts@wushe.test", timeout_seconds=5
    )
    async with open_senders(settings) as senders:
        yield senders


async def test_each_channel_gets_the_alert_once_and_only_the_failed_one_is_retried(
    sessions: Sessions,
    receiver: Receiver,
    mailbox: tuple[BusyThenReadyMailbox, int],
    channels: Senders,
) -> None:
    box, _ = mailbox
    partner_id, secret = await add_partner(sessions, receiver.url)
    receiver.secrets = [secret]
    async with sessions() as session, session.begin():
        session.add(PartnerProfileRecord(partner_id=partner_id, email="duty@station.example",
                                         sms_number="13800138000"))  # fmt: skip
    alert_id = await add_alert(sessions, partner_id)
    clock = Clock()
    worker = DeliveryWorker(sessions, cipher(), DeliverySettings(), now=clock)

    with capture_logs() as logs:
        await worker.deliver_due(channels)
        first = await alert(sessions, alert_id)
        assert (first.status, first.delivered_channels) == ("pending", ["sms", "webhook"])
        assert first.last_error is not None and first.last_error.startswith("email: ")
        clock.advance(DeliverySettings().backoff_cap_seconds)
        await worker.deliver_due(channels)

    delivered = await alert(sessions, alert_id)
    assert (delivered.status, delivered.attempts) == ("delivered", 2)
    assert delivered.delivered_channels == ["email", "sms", "webhook"]
    assert len(receiver.requests) == 1 and list(receiver.accepted) == [alert_id]
    assert [envelope.rcpt_tos for envelope in box.accepted] == [["duty@station.example"]]
    assert len([line for line in logs if line["event"] == "sms sent"]) == 1
    async with sessions() as session:
        log = list(await session.scalars(
            select(DeliveryAttemptRecord).where(DeliveryAttemptRecord.alert_id == alert_id)
            .order_by(DeliveryAttemptRecord.id)
        ))  # fmt: skip
    assert sorted((a.channel, a.outcome) for a in log) == [
        ("email", "delivered"), ("email", "failed"), ("sms", "delivered"),
        ("webhook", "delivered"),
    ]  # fmt: skip
