"""Alerts by SMS, through a gateway.

Texts are short and carry no personal data at all: the event type and the alert's id,
which the partner looks up through the API (or its webhook) with its own credentials.
The only implementation here writes a structured log line instead of sending; a real
gateway (a carrier's API) implements ``SmsGateway`` and is passed in at bootstrap.
"""

import time
from datetime import datetime
from typing import Protocol

import structlog

from wushe.notify.adapters.failure_reasons import failure_reason
from wushe.notify.domain.delivery import DeliveryResult, Destination, OutgoingAlert

log = structlog.get_logger(__name__)


class SmsGateway(Protocol):
    async def send_text(self, phone: str, text: str, reference: str) -> None:
        """Hand one text to the carrier; raise on refusal."""


def masked(phone: str) -> str:
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else "***"


class LoggingSmsGateway:
    """Writes what would be sent as one structured log line."""

    async def send_text(self, phone: str, text: str, reference: str) -> None:
        log.info("sms sent", to=masked(phone), text=text, reference=reference)


def sms_text(alert: OutgoingAlert) -> str:
    return f"【五社联动】新提醒 {alert.event_type}，编号 {alert.alert_id}"


class SmsChannel:
    def __init__(self, gateway: SmsGateway) -> None:
        self._gateway = gateway

    async def send(
        self, alert: OutgoingAlert, destination: Destination, now: datetime
    ) -> DeliveryResult:
        started = time.perf_counter()
        try:
            await self._gateway.send_text(destination.address, sms_text(alert), alert.alert_id)
        except Exception as error:  # a gateway's failure of any kind is a failed attempt
            elapsed = (time.perf_counter() - started) * 1000
            return DeliveryResult(False, elapsed, failure_reason(error))
        return DeliveryResult(True, (time.perf_counter() - started) * 1000)
