"""What intake's API returns about consents, legal bases and whether a use is allowed."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.intake.adapters.consent_orm import ConsentRecord, LegalBasisRecord
from wushe.intake.adapters.guardian_names import open_guardian_name
from wushe.intake.domain.sharing import Ground
from wushe.intake.service_layer.consent import consent_permission, legal_basis_permission
from wushe.shared.field_encryption import FieldCipher


class ConsentRecorded(BaseModel):
    consent_id: UUID
    trace_id: str | None


class ConsentRevokedView(BaseModel):
    consent_id: UUID
    revoked_on: date
    trace_id: str | None


class LegalBasisRecorded(BaseModel):
    legal_basis_id: UUID


class ConsentView(BaseModel):
    consent_id: UUID
    purpose: str
    recipient_kind: str
    given_by: str
    guardian_name: str | None
    guardian_relation: str | None
    valid_from: date
    valid_until: date | None
    revoked_on: date | None
    revocation_reason: str | None
    evidence: str
    recorded_by: str
    recorded_at: datetime
    active: bool = Field(description="Whether the consent applies today")

    @classmethod
    def of(cls, row: ConsentRecord, cipher: FieldCipher, today: date) -> "ConsentView":
        return cls(
            consent_id=UUID(row.id),
            purpose=row.purpose,
            recipient_kind=row.recipient_kind,
            given_by=row.given_by,
            guardian_name=open_guardian_name(cipher, row.guardian_name_encrypted),
            guardian_relation=row.guardian_relation,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            revoked_on=row.revoked_on,
            revocation_reason=row.revocation_reason,
            evidence=row.evidence,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
            active=consent_permission(row).in_force_on(today),
        )


class LegalBasisView(BaseModel):
    legal_basis_id: UUID
    basis: str
    law: str
    purpose: str
    recipient_kind: str
    valid_from: date
    valid_until: date | None
    recorded_by: str
    recorded_at: datetime
    active: bool = Field(description="Whether the legal basis applies today")

    @classmethod
    def of(cls, row: LegalBasisRecord, today: date) -> "LegalBasisView":
        return cls(
            legal_basis_id=UUID(row.id),
            basis=row.basis,
            law=row.law,
            purpose=row.purpose,
            recipient_kind=row.recipient_kind,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
            active=legal_basis_permission(row).in_force_on(today),
        )


class GroundView(BaseModel):
    kind: Literal["consent", "legal_basis"]
    id: UUID
    basis: str = Field(examples=["consent", "statutory_duty"])
    law: str | None
    recipient_kind: str
    valid_until: date | None

    @classmethod
    def of(cls, ground: Ground) -> "GroundView":
        return cls(
            kind=ground.kind,
            id=UUID(ground.id),
            basis=ground.basis,
            law=ground.law,
            recipient_kind=ground.permission.recipient_kind.value,
            valid_until=ground.permission.valid_until,
        )


class SharingAnswer(BaseModel):
    person_id: UUID
    purpose: str
    recipient_kind: str
    checked_on: date
    allowed: bool
    grounds: list[GroundView] = Field(description="The consents and legal bases that allow it")
