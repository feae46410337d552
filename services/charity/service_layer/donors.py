"""Donors: names and contacts sealed at rest, read back only by fund keepers."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.charity.adapters.orm import DonorRecord
from wushe.charity.domain.donation import DonorEntry, DonorKind
from wushe.charity.domain.refusals import NotFound
from wushe.shared.auth import Caller
from wushe.shared.field_encryption import FieldCipher

NAME = "donors.name"
CONTACT = "donors.contact"


def add_donor(session: AsyncSession, entry: DonorEntry, cipher: FieldCipher, by: Caller) -> str:
    donor_id = str(uuid7())
    session.add(
        DonorRecord(
            id=donor_id,
            kind=entry.kind.value,
            name_encrypted=cipher.encrypt(entry.name, NAME),
            contact_encrypted=cipher.encrypt(entry.contact, CONTACT) if entry.contact else None,
            region_code=by.region,
            recorded_by=by.subject,
            recorded_at=datetime.now(UTC),
        )
    )
    return donor_id


async def require_donor(session: AsyncSession, donor_id: UUID) -> DonorRecord:
    donor = await session.get(DonorRecord, str(donor_id))
    if donor is None:
        raise NotFound(f"no donor {donor_id} / 没有该捐赠人", field="donor_id")
    return donor


def opened(donor: DonorRecord, cipher: FieldCipher) -> DonorEntry:
    return DonorEntry(
        kind=DonorKind(donor.kind),
        name=cipher.decrypt(donor.name_encrypted, NAME),
        contact=contact_of(donor, cipher),
    )


def contact_of(donor: DonorRecord, cipher: FieldCipher) -> str | None:
    if donor.contact_encrypted is None:
        return None
    return cipher.decrypt(donor.contact_encrypted, CONTACT)
