"""What one partner may see of one event: the fields about no one, and of the personal
fields those its agreement names, when the person's consent for the agreement's purpose
reaches the partner's kind on the day, or when the agreement's statutory ground covers
this partner and this event (then without consent, and the ground is what is recorded)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.adapters.orm import PartnerRecord
from wushe.notify.adapters.sharing_orm import PersonConsentRecord, SharingAgreementRecord
from wushe.notify.domain.agreement import Agreement, governing_agreement
from wushe.notify.domain.consent import Consent, consent_for
from wushe.notify.domain.field_policy import split_fields
from wushe.notify.domain.statutory import ground_applies
from wushe.notify.service_layer.projections import persons_on_file
from wushe.shared.events import EventEnvelope
from wushe.shared.events.consent import ProcessingPurpose, RecipientKind
from wushe.shared.events.referrals import StatutoryGround

NO_AGREEMENT = "no_agreement"
NO_CONSENT = "no_consent"
NOT_IN_AGREEMENT = "not_in_agreement"


@dataclass(frozen=True)
class Disclosure:
    data: dict[str, Any]
    person_id: str | None
    shared: list[str]
    withheld: list[str]
    withheld_because: str | None
    agreement_id: str | None
    consent_id: str | None
    statutory_ground: StatutoryGround | None = None

    @property
    def consent_withheld(self) -> bool:
        """Fields the agreement would give were held back for want of consent."""
        return self.withheld_because == NO_CONSENT


def agreement_from(record: SharingAgreementRecord) -> Agreement:
    return Agreement(
        agreement_id=record.id,
        purpose=ProcessingPurpose(record.purpose),
        event_types=frozenset(record.event_types),
        fields=frozenset(record.fields),
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        statutory_ground=(
            StatutoryGround(record.statutory_ground) if record.statutory_ground else None
        ),
    )


async def agreements_of(session: AsyncSession, partner_id: str) -> list[Agreement]:
    records = await session.scalars(
        select(SharingAgreementRecord).where(SharingAgreementRecord.partner_id == partner_id)
    )
    return [agreement_from(r) for r in records]


async def consents_of(session: AsyncSession, person_id: str) -> list[Consent]:
    """The person's consents and those of the files merged into theirs."""
    persons = await persons_on_file(session, person_id)
    records = await session.scalars(
        select(PersonConsentRecord).where(PersonConsentRecord.person_id.in_(persons))
    )
    return [
        Consent(
            consent_id=r.consent_id,
            purpose=ProcessingPurpose(r.purpose),
            recipient_kind=RecipientKind(r.recipient_kind),
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            revoked_on=r.revoked_on,
        )
        for r in records
    ]


def _ground_covering(
    agreement: Agreement | None, partner_kind: str, event: EventEnvelope
) -> StatutoryGround | None:
    ground = agreement.statutory_ground if agreement else None
    if ground is None or not ground_applies(ground, partner_kind, event.type, event.payload):
        return None
    return ground


def _statutory_agreement(
    agreements: list[Agreement],
    partner_kind: str,
    event: EventEnvelope,
    day: date,
    offered: frozenset[str],
) -> Agreement | None:
    """Where consent is missing, the agreement in force whose ground covers the alert
    and gives some of the offered fields, for a partner that also has one under consent."""
    covered = [a for a in agreements if _ground_covering(a, partner_kind, event)]
    agreement = governing_agreement(covered, event.type, day, offered)
    return agreement if agreement is not None and offered & agreement.fields else None


async def disclose(
    session: AsyncSession,
    event: EventEnvelope,
    partner: PartnerRecord,
    *,
    day: date,
    agreements: list[Agreement] | None = None,
) -> Disclosure:
    """``agreements``: the partner's, when the caller has read them already."""
    fields = split_fields(event.type, event.payload)
    offered = fields.personal_names()
    person_id = event.payload.get("person_id")
    person = str(person_id) if person_id else None
    if agreements is None:
        agreements = await agreements_of(session, partner.id)
    agreement = governing_agreement(agreements, event.type, day, offered)
    allowed = offered & agreement.fields if agreement else frozenset()
    ground = _ground_covering(agreement, partner.kind, event)
    consent = None
    because: str | None = None
    if allowed and ground is None:
        # Personal fields need the person's consent; fields about no identified person
        # (a donation's earmark, say) have no one to consent and are withheld too.
        consents = await consents_of(session, person) if person else []
        consent = consent_for(consents, agreement.purpose, partner.kind, day) if agreement else None
        if consent is None:
            by_law = _statutory_agreement(agreements, partner.kind, event, day, offered)
            if by_law is not None:
                agreement, ground = by_law, by_law.statutory_ground
                allowed = offered & by_law.fields
            else:
                allowed = frozenset()
                because = NO_CONSENT
    if because is None and offered - allowed:
        because = NOT_IN_AGREEMENT if agreement else NO_AGREEMENT
    return Disclosure(
        data={**fields.non_personal, **fields.allowed(allowed)},
        person_id=person,
        shared=sorted(allowed),
        withheld=sorted(offered - allowed),
        withheld_because=because,
        agreement_id=agreement.agreement_id if agreement else None,
        consent_id=consent.consent_id if consent else None,
        statutory_ground=ground if allowed else None,
    )
