"""A partner's channels, contacts and quiet hours. Contacts name people, so they are
sealed with the field cipher; email and SMS addresses are the partner's own desks."""

import json
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.notify.adapters.orm import PartnerRecord
from wushe.notify.adapters.sharing_orm import PartnerProfileRecord
from wushe.notify.domain.partner import Contact, PartnerProfile
from wushe.notify.domain.quiet_hours import clock_text, parse_clock
from wushe.shared.field_encryption import FieldCipher

CONTACTS_COLUMN = "partner_profiles.contacts_sealed"


@dataclass(frozen=True)
class PartnerChannels:
    """Where a partner's alerts can go; the delivery picks among them."""

    partner_id: str
    webhook_url: str | None
    email: str | None
    sms_number: str | None


async def save_profile(
    session: AsyncSession, partner_id: str, profile: PartnerProfile, cipher: FieldCipher
) -> None:
    contacts = json.dumps([c.model_dump() for c in profile.contacts], ensure_ascii=False)
    await session.merge(
        PartnerProfileRecord(
            partner_id=partner_id,
            contacts_sealed=cipher.encrypt(contacts, CONTACTS_COLUMN) if profile.contacts else None,
            email=profile.email,
            sms_number=profile.sms_number,
            quiet_from=clock_text(profile.quiet_from) if profile.quiet_from else None,
            quiet_until=clock_text(profile.quiet_until) if profile.quiet_until else None,
            digest_at=clock_text(profile.digest_at) if profile.digest_at else None,
        )
    )


async def load_profile(
    session: AsyncSession, partner_id: str, cipher: FieldCipher
) -> PartnerProfile:
    record = await session.get(PartnerProfileRecord, partner_id)
    if record is None:
        return PartnerProfile()
    contacts = (
        json.loads(cipher.decrypt(record.contacts_sealed, CONTACTS_COLUMN))
        if record.contacts_sealed
        else []
    )
    return PartnerProfile(
        contacts=[Contact.model_validate(c) for c in contacts],
        email=record.email,
        sms_number=record.sms_number,
        quiet_from=parse_clock(record.quiet_from) if record.quiet_from else None,
        quiet_until=parse_clock(record.quiet_until) if record.quiet_until else None,
        digest_at=parse_clock(record.digest_at) if record.digest_at else None,
    )


async def channels_of(session: AsyncSession, partner: PartnerRecord) -> PartnerChannels:
    record = await session.get(PartnerProfileRecord, partner.id)
    return PartnerChannels(
        partner_id=partner.id,
        webhook_url=partner.webhook_url or None,
        email=record.email if record else None,
        sms_number=record.sms_number if record else None,
    )
