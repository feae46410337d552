"""Whether a person's consent (or a legal basis, which intake publishes the same way)
lets their data go to a kind of partner for a purpose on a given day."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from wushe.shared.events.consent import ProcessingPurpose, RecipientKind


@dataclass(frozen=True)
class Consent:
    consent_id: str
    purpose: ProcessingPurpose
    recipient_kind: RecipientKind
    valid_from: date
    valid_until: date | None
    revoked_on: date | None

    def allows(self, purpose: ProcessingPurpose, partner_kind: str, day: date) -> bool:
        reaches = self.recipient_kind in (RecipientKind.ANY, partner_kind)
        started = self.valid_from <= day
        not_expired = self.valid_until is None or day <= self.valid_until
        # Revoked "from revoked_on": that day is no longer covered.
        not_revoked = self.revoked_on is None or day < self.revoked_on
        return self.purpose == purpose and reaches and started and not_expired and not_revoked


def consent_for(
    consents: Iterable[Consent], purpose: ProcessingPurpose, partner_kind: str, day: date
) -> Consent | None:
    allowing = [c for c in consents if c.allows(purpose, partner_kind, day)]
    return min(allowing, key=lambda c: c.consent_id) if allowing else None
