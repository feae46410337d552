"""Which channels an alert to a partner goes by, and the senders for each channel."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wushe.notify.adapters.email import EmailChannel, smtp_server
from wushe.notify.adapters.orm import PartnerRecord
from wushe.notify.adapters.sharing_orm import PartnerProfileRecord
from wushe.notify.adapters.sms import LoggingSmsGateway, SmsChannel, SmsGateway
from wushe.notify.adapters.webhook import WebhookChannel, WebhookProxies, http_session
from wushe.notify.config import DeliverySettings
from wushe.notify.domain.delivery import Channel, DeliveryResult, Destination, OutgoingAlert


class Sender(Protocol):
    async def send(
        self, alert: OutgoingAlert, destination: Destination, now: datetime
    ) -> DeliveryResult: ...


def destinations_of(
    partner: PartnerRecord, profile: PartnerProfileRecord | None, signing_secrets: tuple[str, ...]
) -> list[Destination]:
    """The one place a partner's channels are chosen: its webhook, and the email address
    and mobile number its profile names (the partner's desks, not a person's own)."""
    destinations = [Destination(Channel.WEBHOOK, partner.webhook_url, signing_secrets)]
    if profile is not None and profile.email:
        destinations.append(Destination(Channel.EMAIL, profile.email))
    if profile is not None and profile.sms_number:
        destinations.append(Destination(Channel.SMS, profile.sms_number))
    return destinations


@dataclass(frozen=True)
class Senders:
    webhook: Sender
    email: Sender
    sms: Sender

    def for_channel(self, channel: Channel) -> Sender:
        return {Channel.WEBHOOK: self.webhook, Channel.EMAIL: self.email, Channel.SMS: self.sms}[
            channel
        ]


@asynccontextmanager
async def open_senders(
    settings: DeliverySettings, sms: SmsGateway | None = None
) -> AsyncIterator[Senders]:
    """The senders of every channel, with the webhook client's connections open until
    the block ends."""
    smtp = smtp_server(settings)
    async with http_session(settings.timeout_seconds, settings.max_in_flight) as client:
        yield Senders(
            webhook=WebhookChannel(client, WebhookProxies()),
            email=EmailChannel(smtp),
            sms=SmsChannel(sms or LoggingSmsGateway()),
        )
