"""Intake's HTTP API for what a person's data may be used for and shared with: consents,
their revocation, legal bases for processing without consent, and the check partners'
sharing rests on."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from wushe.intake.domain.consent import ConsentGrant, ConsentRevocation
from wushe.intake.domain.legal_basis import LegalBasisEntry
from wushe.intake.domain.sharing import grounds_for
from wushe.intake.entrypoints.consent_views import (
    ConsentRecorded,
    ConsentRevokedView,
    ConsentView,
    GroundView,
    LegalBasisRecorded,
    LegalBasisView,
    SharingAnswer,
)
from wushe.intake.entrypoints.dependencies import VaultDep, changing, person_in_scope
from wushe.intake.service_layer import consent as consents
from wushe.shared.auth import CurrentCaller
from wushe.shared.events.consent import ProcessingPurpose, RecipientKind
from wushe.shared.http import RuntimeDep
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/persons/{person_id}", tags=["consent"])


@router.post("/consents", status_code=status.HTTP_201_CREATED, response_model=ConsentRecorded)
async def grant_consent(
    person_id: UUID,
    grant: ConsentGrant,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> ConsentRecorded:
    """Record a consent to one purpose and one kind of recipient; emits `consent.granted`.

    A person under 18 consents through a guardian (409 naming `given_by` otherwise).
    """
    async with changing(runtime, caller, person_id) as (uow, record):
        consent_id = await consents.grant_consent(
            uow, record, grant, caller=caller, producer=runtime.producer, cipher=vault.cipher
        )
    return ConsentRecorded(consent_id=consent_id, trace_id=current_trace_id())


@router.post("/consents/{consent_id}/revoke", response_model=ConsentRevokedView)
async def revoke_consent(
    person_id: UUID,
    consent_id: UUID,
    revocation: ConsentRevocation,
    caller: CurrentCaller,
    runtime: RuntimeDep,
) -> ConsentRevokedView:
    """Withdraw a consent from `revoked_on` (default today); emits `consent.revoked` at once."""
    async with changing(runtime, caller, person_id) as (uow, record):
        await consents.revoke_consent(
            uow, record, consent_id, revocation, caller=caller, producer=runtime.producer
        )
    return ConsentRevokedView(
        consent_id=consent_id, revoked_on=revocation.revoked_on, trace_id=current_trace_id()
    )


@router.get("/consents", response_model=list[ConsentView])
async def list_consents(
    person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep, vault: VaultDep
) -> list[ConsentView]:
    """Every consent of the person, revoked and expired ones too; `active` is for today."""
    record = await person_in_scope(runtime, caller, person_id)
    today = date.today()
    async with runtime.sessions() as session:
        rows = await consents.consents_of(session, record.id)
    return [ConsentView.of(row, vault.cipher, today) for row in rows]


@router.get("/consents/check", response_model=SharingAnswer)
async def check_sharing(
    person_id: UUID,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    purpose: Annotated[ProcessingPurpose, Query()],
    recipient_kind: Annotated[RecipientKind, Query()],
) -> SharingAnswer:
    """Whether the person's data may be used for `purpose` and shared with a partner of
    `recipient_kind` today, and on which consents or legal bases."""
    record = await person_in_scope(runtime, caller, person_id)
    today = date.today()
    async with runtime.sessions() as session:
        grounds = grounds_for(
            await consents.grounds_of(session, record.id), purpose, recipient_kind, today
        )
    return SharingAnswer(
        person_id=person_id,
        purpose=purpose.value,
        recipient_kind=recipient_kind.value,
        checked_on=today,
        allowed=bool(grounds),
        grounds=[GroundView.of(ground) for ground in grounds],
    )


@router.post("/legal-bases", status_code=status.HTTP_201_CREATED, response_model=LegalBasisRecorded)
async def record_legal_basis(
    person_id: UUID, entry: LegalBasisEntry, caller: CurrentCaller, runtime: RuntimeDep
) -> LegalBasisRecorded:
    """Record the law that allows processing the person's data without consent."""
    async with changing(runtime, caller, person_id) as (uow, record):
        legal_basis_id = consents.record_legal_basis(uow, record, entry, caller=caller)
    return LegalBasisRecorded(legal_basis_id=legal_basis_id)


@router.get("/legal-bases", response_model=list[LegalBasisView])
async def list_legal_bases(
    person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[LegalBasisView]:
    """Every legal basis recorded for the person; `active` is for today."""
    record = await person_in_scope(runtime, caller, person_id)
    today = date.today()
    async with runtime.sessions() as session:
        rows = await consents.legal_bases_of(session, record.id)
    return [LegalBasisView.of(row, today) for row in rows]
