"""Alerts by email, through an SMTP server.

The message's ``Message-ID`` is derived from the alert id, so a mail system (or a
partner's filter) can recognise a retried alert as the same message.
"""

import asyncio
import json
import smtplib
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from wushe.notify.adapters.failure_reasons import failure_reason
from wushe.notify.config import DeliverySettings
from wushe.notify.domain.delivery import DeliveryResult, Destination, OutgoingAlert


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    sender: str
    timeout_seconds: float = 10.0
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    def submit(self, message: EmailMessage) -> None:
        """Hand one message to the server; smtplib blocks, so callers run it in a thread."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username and self.password:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def smtp_server(settings: DeliverySettings) -> SmtpServer:
    """The SMTP server notify's alerts and thank-yous go through."""
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpServer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        timeout_seconds=settings.timeout_seconds,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=password,
    )


def alert_email(alert: OutgoingAlert, sender: str, to: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = f"[五社 Wushe] {alert.event_type}"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{alert.alert_id}@alerts.wushe>"
    message["X-Wushe-Alert-Id"] = alert.alert_id
    message.set_content(json.dumps(alert.body, ensure_ascii=False, indent=2))
    return message


class EmailChannel:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def send(
        self, alert: OutgoingAlert, destination: Destination, now: datetime
    ) -> DeliveryResult:
        message = alert_email(alert, self._server.sender, destination.address, now)
        started = time.perf_counter()
        try:
            # smtplib blocks; a thread keeps the delivery loop serving other partners.
            await asyncio.to_thread(self._server.submit, message)
        except (OSError, smtplib.SMTPException) as error:
            elapsed = (time.perf_counter() - started) * 1000
            return DeliveryResult(False, elapsed, failure_reason(error))
        return DeliveryResult(True, (time.perf_counter() - started) * 1000)
