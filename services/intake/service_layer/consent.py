"""Consents granted and revoked, legal bases recorded, and the grounds a use rests on.

A grant or a revocation emits its event and writes the person's history line in the same
transaction, so a partner learns at once that a consent has ended.
"""

from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.intake.adapters.consent_orm import ConsentRecord, LegalBasisRecord
from wushe.intake.adapters.guardian_names import seal_guardian_name
from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.domain.consent import ConsentGrant, ConsentRevocation, giver_violation
from wushe.intake.domain.legal_basis import LegalBasisEntry
from wushe.intake.domain.sharing import Ground, Permission
from wushe.intake.service_layer.history import person_event, record_change
from wushe.intake.service_layer.lifecycle import ChangeRefused
from wushe.shared.auth import Caller
from wushe.shared.events import Producer
from wushe.shared.events.consent import (
    ConsentGranted,
    ConsentRevoked,
    ProcessingPurpose,
    RecipientKind,
)
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.unit_of_work import UnitOfWork


class ConsentNotFound(LookupError):
    pass


async def grant_consent(
    uow: UnitOfWork,
    record: PersonRecord,
    grant: ConsentGrant,
    *,
    caller: Caller,
    producer: Producer,
    cipher: FieldCipher,
) -> UUID:
    problem = giver_violation(grant, record.birth_date, date.today())
    if problem:
        raise ChangeRefused("given_by", problem)
    consent_id = uuid7()
    consent = ConsentRecord(
        id=str(consent_id),
        person_id=record.id,
        purpose=grant.purpose.value,
        recipient_kind=grant.recipient_kind.value,
        given_by=grant.given_by.value,
        guardian_name_encrypted=seal_guardian_name(cipher, grant.guardian_name),
        guardian_relation=grant.guardian_relation,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        evidence=grant.evidence,
        recorded_by=caller.subject,
        recorded_at=datetime.now(UTC),
    )
    uow.session.add(consent)
    event = person_event(
        ConsentGranted(
            person_id=UUID(record.id),
            consent_id=consent_id,
            purpose=grant.purpose,
            recipient_kind=grant.recipient_kind,
            valid_from=grant.valid_from,
            valid_until=grant.valid_until,
        ),
        record,
        producer,
    )
    await record_change(
        uow, event, caller, fields=["consents"], detail=_detail(consent), reason=grant.evidence
    )
    return consent_id


async def revoke_consent(
    uow: UnitOfWork,
    record: PersonRecord,
    consent_id: UUID,
    revocation: ConsentRevocation,
    *,
    caller: Caller,
    producer: Producer,
) -> None:
    consent = await uow.session.scalar(
        select(ConsentRecord).where(
            ConsentRecord.id == str(consent_id), ConsentRecord.person_id == record.id
        )
    )
    if consent is None:
        raise ConsentNotFound(f"no consent {consent_id} for this person (未找到该同意记录)")
    if consent.revoked_on is not None:
        raise ChangeRefused(
            "consent_id", f"already revoked on {consent.revoked_on.isoformat()} (该同意已撤回)"
        )
    if consent.valid_until is not None and consent.valid_until < revocation.revoked_on:
        raise ChangeRefused(
            "revoked_on",
            f"the consent ended on {consent.valid_until.isoformat()}, before "
            f"{revocation.revoked_on.isoformat()}; there is nothing left to revoke "
            "(同意已到期，无需撤回)",
        )
    consent.revoked_on, consent.revocation_reason = revocation.revoked_on, revocation.reason
    consent.revoked_by, consent.revoked_at = caller.subject, datetime.now(UTC)
    event = person_event(
        ConsentRevoked(
            person_id=UUID(record.id),
            consent_id=consent_id,
            purpose=ProcessingPurpose(consent.purpose),
            recipient_kind=RecipientKind(consent.recipient_kind),
            valid_from=consent.valid_from,
            valid_until=consent.valid_until,
            revoked_on=revocation.revoked_on,
        ),
        record,
        producer,
    )
    await record_change(
        uow, event, caller, fields=["consents"], detail=_detail(consent), reason=revocation.reason
    )


def _detail(consent: ConsentRecord) -> dict[str, str]:
    return {
        "consent_id": consent.id,
        "purpose": consent.purpose,
        "recipient_kind": consent.recipient_kind,
    }


def record_legal_basis(
    uow: UnitOfWork, record: PersonRecord, entry: LegalBasisEntry, *, caller: Caller
) -> UUID:
    legal_basis_id = uuid7()
    uow.session.add(
        LegalBasisRecord(
            id=str(legal_basis_id),
            person_id=record.id,
            basis=entry.basis.value,
            law=entry.law,
            purpose=entry.purpose.value,
            recipient_kind=entry.recipient_kind.value,
            valid_from=entry.valid_from,
            valid_until=entry.valid_until,
            recorded_by=caller.subject,
            recorded_at=datetime.now(UTC),
        )
    )
    return legal_basis_id


async def consents_of(session: AsyncSession, person_id: str) -> list[ConsentRecord]:
    rows = await session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.person_id == person_id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    return list(rows)


async def legal_bases_of(session: AsyncSession, person_id: str) -> list[LegalBasisRecord]:
    rows = await session.scalars(
        select(LegalBasisRecord)
        .where(LegalBasisRecord.person_id == person_id)
        .order_by(LegalBasisRecord.recorded_at, LegalBasisRecord.id)
    )
    return list(rows)


def consent_permission(consent: ConsentRecord) -> Permission:
    return Permission(
        purpose=ProcessingPurpose(consent.purpose),
        recipient_kind=RecipientKind(consent.recipient_kind),
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        revoked_on=consent.revoked_on,
    )


def legal_basis_permission(legal_basis: LegalBasisRecord) -> Permission:
    return Permission(
        purpose=ProcessingPurpose(legal_basis.purpose),
        recipient_kind=RecipientKind(legal_basis.recipient_kind),
        valid_from=legal_basis.valid_from,
        valid_until=legal_basis.valid_until,
    )


async def grounds_of(session: AsyncSession, person_id: str) -> list[Ground]:
    """Every consent and legal basis of the person, in force or not."""
    consents = [
        Ground("consent", row.id, consent_permission(row))
        for row in await consents_of(session, person_id)
    ]
    legal_bases = [
        Ground("legal_basis", row.id, legal_basis_permission(row), basis=row.basis, law=row.law)
        for row in await legal_bases_of(session, person_id)
    ]
    return consents + legal_bases
