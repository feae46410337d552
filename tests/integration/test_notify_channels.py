"""Email alerts arrive at a real SMTP server (aiosmtpd); SMS alerts go through the gateway
interface, whose logging implementation writes one line without personal data."""

import email
import email.policy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from structlog.testing import capture_logs

from support.infrastructure import free_port
from support.local_smtp import serving_smtp
from wushe.notify.adapters.email import EmailChannel, SmtpServer
from wushe.notify.adapters.sms import LoggingSmsGateway, SmsChannel
from wushe.notify.domain.delivery import Channel, Destination, OutgoingAlert

ALERT = OutgoingAlert(
    "0193b1c0-0000-7000-8000-000000000001",
    "need.posted",
    {"type": "need.posted", "data": {"subject": "need-1", "summary": "助餐 送餐上门"}},
)


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((envelope, parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with serving_smtp(box) as port:
        yield box, port


async def test_an_email_alert_arrives_with_the_alert_id_as_its_message_id(
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    channel = EmailChannel(SmtpServer("127.0.0.1", port, "alerts@wushe.test", timeout_seconds=5))
    destination = Destination(Channel.EMAIL, "duty@station.example")

    result = await channel.send(ALERT, destination, datetime.now(UTC))

    assert result.ok, result.error
    [(envelope, message)] = box.messages
    assert envelope.mail_from == "alerts@wushe.test"
    assert envelope.rcpt_tos == ["duty@station.example"]
    assert message["Message-ID"] == f"<{ALERT.alert_id}@alerts.wushe>"
    assert message["Subject"] == "[五社 Wushe] need.posted"
    body = message.get_body(("plain",))
    assert body is not None
    assert json.loads(body.get_content()) == ALERT.body


async def test_an_unreachable_smtp_server_is_a_failed_attempt_with_its_reason() -> None:
    channel = EmailChannel(SmtpServer("127.0.0.1", free_port(), "a@wushe.test", timeout_seconds=2))
    result = await channel.send(ALERT, Destination(Channel.EMAIL, "x@y.example"), datetime.now(UTC))
    assert not result.ok
    assert result.error is not None and "ConnectionRefusedError" in result.error


async def test_an_sms_is_logged_as_one_line_without_the_alerts_personal_data() -> None:
    channel = SmsChannel(LoggingSmsGateway())
    with capture_logs() as logs:
        result = await channel.send(
            ALERT, Destination(Channel.SMS, "13800138000"), datetime.now(UTC)
        )
    assert result.ok
    [line] = [entry for entry in logs if entry["event"] == "sms sent"]
    assert line["to"] == "138****8000"
    assert line["reference"] == ALERT.alert_id
    logged: Any = json.dumps(line, ensure_ascii=False)
    assert "13800138000" not in logged and "助餐" not in logged and "need-1" not in logged


async def test_a_gateway_that_refuses_makes_a_failed_attempt() -> None:
    class RefusingGateway:
        async def send_text(self, phone: str, text: str, reference: str) -> None:
            raise ConnectionError("carrier refused: quota exceeded")

    result = await SmsChannel(RefusingGateway()).send(
        ALERT, Destination(Channel.SMS, "13800138000"), datetime.now(UTC)
    )
    assert not result.ok and result.error == "ConnectionError: carrier refused: quota exceeded"
