"""Thank-yous go out through notify's own SMTP server and SMS gateway, as the alerts do,
but as a plain message to a donor instead of an alert's JSON."""

import asyncio
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from wushe.notify.adapters.email import SmtpServer, smtp_server
from wushe.notify.adapters.failure_reasons import failure_reason
from wushe.notify.adapters.sms import LoggingSmsGateway, SmsGateway
from wushe.notify.config import DeliverySettings
from wushe.notify.domain.delivery import Channel
from wushe.notify.domain.donor_thanks import ThankYou


class ThankYouNotSent(Exception):
    """The server or the gateway refused; the thank-you is tried again later."""


def thank_you_email(thanks: ThankYou, sender: str, to: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = thanks.subject
    message["Date"] = format_datetime(now)
    # One message per donation: a retry is recognisably the same message.
    message["Message-ID"] = f"<{thanks.donation_id}@thanks.wushe>"
    message.set_content(thanks.text())
    return message


@dataclass(frozen=True)
class ThankYouChannels:
    smtp: SmtpServer
    sms: SmsGateway

    async def send(self, channel: Channel, contact: str, thanks: ThankYou, now: datetime) -> None:
        try:
            if channel is Channel.EMAIL:
                message = thank_you_email(thanks, self.smtp.sender, contact, now)
                # smtplib blocks; a thread keeps the event loop serving.
                await asyncio.to_thread(self.smtp.submit, message)
            else:
                await self.sms.send_text(contact, thanks.text(), thanks.donation_id)
        except Exception as error:  # any refusal of either channel is a failed attempt
            raise ThankYouNotSent(failure_reason(error)) from error


def thank_you_channels(
    settings: DeliverySettings, sms: SmsGateway | None = None
) -> ThankYouChannels:
    """The same SMTP server and SMS gateway the alerts use."""
    return ThankYouChannels(smtp_server(settings), sms or LoggingSmsGateway())
