"""Whether a person's data may be used for a purpose and shared with a kind of partner on
a given day, and on which grounds: a consent in force, or a legal basis in force."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from wushe.shared.events.consent import ProcessingPurpose, RecipientKind


@dataclass(frozen=True)
class Permission:
    """What a consent or legal basis allows, and on which days."""

    purpose: ProcessingPurpose
    recipient_kind: RecipientKind
    valid_from: date
    valid_until: date | None = None
    revoked_on: date | None = None

    def in_force_on(self, day: date) -> bool:
        """From the first day to the last, inclusive; no longer on the day it is revoked."""
        if day < self.valid_from or (self.valid_until is not None and day > self.valid_until):
            return False
        return self.revoked_on is None or day < self.revoked_on

    def allows(self, purpose: ProcessingPurpose, recipient: RecipientKind, day: date) -> bool:
        reaches = self.recipient_kind in (RecipientKind.ANY, recipient)
        return self.purpose is purpose and reaches and self.in_force_on(day)


@dataclass(frozen=True)
class Ground:
    """One consent or legal basis a use can rest on."""

    kind: Literal["consent", "legal_basis"]
    id: str
    permission: Permission
    basis: str = "consent"
    law: str | None = None


def grounds_for(
    grounds: Iterable[Ground], purpose: ProcessingPurpose, recipient: RecipientKind, day: date
) -> list[Ground]:
    """The grounds that allow the use on ``day``; none means it is not allowed."""
    return [ground for ground in grounds if ground.permission.allows(purpose, recipient, day)]
