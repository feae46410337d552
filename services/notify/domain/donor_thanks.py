"""A thank-you to a donor: by email to an address, by text to a mainland mobile number.

It names the donation's amount and receipt number only: never another donor, a fund's
beneficiaries or anyone's personal data.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from wushe.notify.domain.delivery import Channel

MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ThanksStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"  # the last attempt failed


def channel_for(contact: str) -> Channel | None:
    """How to reach a contact as donors write it; None for one that is neither."""
    compact = re.sub(r"[\s-]", "", contact)
    if EMAIL.match(contact.strip()):
        return Channel.EMAIL
    if MOBILE.match(compact):
        return Channel.SMS
    return None


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@dataclass(frozen=True)
class ThankYou:
    donation_id: str
    amount_fen: int
    receipt_number: str

    @property
    def subject(self) -> str:
        return "感谢您的爱心捐赠 / Thank you for your donation"

    def text(self) -> str:
        return (
            f"【五社联动】感谢您的爱心捐赠！我们已收到您捐赠的{yuan(self.amount_fen)}元，"
            f"收据编号{self.receipt_number}。善款将按捐赠用途使用，使用情况可向基金查询。"
        )
