"""Referring a person to a partner agency, and the partner's and referrer's answers.

Nothing is shared before the person's consent covers sharing with that kind of partner
or the referrer names a statutory ground. Each command decides with the domain's rules
and records one event; the projectors in ``referral_projection`` write the rows.
``now`` is the caller's clock, so that tests can drive deadlines.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.ledger.adapters.referral_orm import ReferralRecord
from wushe.ledger.domain.referrals import (
    CHINA,
    Move,
    MoveRefused,
    Status,
    complete_by,
    move,
    respond_by,
)
from wushe.ledger.service_layer.commands import record
from wushe.ledger.service_layer.consents import consent_covers
from wushe.ledger.service_layer.files import active_file, file_of
from wushe.ledger.service_layer.timeline import persons_on_file
from wushe.shared.auth import Caller, Role, require_region, require_role
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.consent import ProcessingPurpose, RecipientKind
from wushe.shared.events.referrals import (
    ReferralAccepted,
    ReferralCompleted,
    ReferralDeclined,
    ReferralSent,
    ReferralWithdrawn,
    StatutoryGround,
    Urgency,
)
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.refusals import Forbidden, Invalid, NotFound, Refused
from wushe.shared.unit_of_work import UnitOfWork

REASON_COLUMN = "ledger_referrals.reason"
LEGAL_BASIS_NOTE_COLUMN = "ledger_referrals.legal_basis_note"
DECLINE_REASON_COLUMN = "ledger_referrals.decline_reason"
OUTCOME_COLUMN = "ledger_referrals.outcome"
WITHDRAWAL_REASON_COLUMN = "ledger_referrals.withdrawal_reason"
REFERRERS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)


@dataclass(frozen=True)
class Acting:
    """Who acts, when, and what a command needs to record it."""

    uow: UnitOfWork
    producer: Producer
    cipher: FieldCipher
    caller: Caller
    now: datetime


@dataclass(frozen=True)
class NewReferral:
    person_id: str
    partner_id: UUID
    partner_kind: RecipientKind
    urgency: Urgency
    reason: str
    case_id: UUID | None = None
    legal_basis: StatutoryGround | None = None
    legal_basis_note: str | None = None
    resends: UUID | None = None


async def send_referral(acting: Acting, referral: NewReferral) -> EventEnvelope:
    caller = acting.caller
    require_role(caller, *REFERRERS)
    _check_grounds(referral)
    async with acting.uow as uow:
        file = await active_file(uow.session, referral.person_id)
        require_region(caller, file.region_code)
        persons = await persons_on_file(uow.session, file.person_id)
        if referral.resends is not None:
            await _check_resend(uow.session, referral, persons)
        if referral.legal_basis is None:
            await _require_consent(uow.session, persons, referral, acting.now)
        cipher = acting.cipher
        note = referral.legal_basis_note
        payload = ReferralSent(
            referral_id=uuid7(),
            person_id=UUID(file.person_id),
            case_id=referral.case_id,
            partner_id=referral.partner_id,
            partner_kind=referral.partner_kind,
            urgency=referral.urgency,
            groups=list(file.groups),
            reason_sealed=cipher.encrypt(referral.reason, REASON_COLUMN),
            respond_by=respond_by(referral.urgency, acting.now),
            legal_basis=referral.legal_basis,
            legal_basis_note_sealed=cipher.encrypt(note, LEGAL_BASIS_NOTE_COLUMN) if note else None,
            resends=referral.resends,
        )
        return await _record(acting, file.person_id, file.region_code, payload)


def _check_grounds(referral: NewReferral) -> None:
    if referral.partner_kind is RecipientKind.ANY:
        raise Invalid("a referral goes to one kind of partner, not 'any'", field="partner_kind")
    if referral.legal_basis is not None and not referral.legal_basis_note:
        raise Invalid(
            f"legal_basis {referral.legal_basis.value} needs a note saying why it applies",
            field="legal_basis_note",
        )
    if referral.legal_basis is None and referral.legal_basis_note:
        raise Invalid("a legal_basis_note needs the legal_basis it explains", field="legal_basis")


async def _require_consent(
    session: AsyncSession, persons: list[str], referral: NewReferral, now: datetime
) -> None:
    purpose, kind = ProcessingPurpose.DATA_SHARING_WITH_PARTNERS, referral.partner_kind
    day = now.astimezone(CHINA).date()
    if not await consent_covers(session, persons, purpose, kind, day):
        raise Refused(
            f"no consent of person {referral.person_id} covers purpose {purpose.value} for "
            f"recipient kind {kind.value} on {day}: record one at intake "
            f"(POST /persons/{{id}}/consents) or name a legal_basis with a note",
            field="consent",
        )


async def _check_resend(session: AsyncSession, referral: NewReferral, persons: list[str]) -> None:
    declined = await session.get(ReferralRecord, str(referral.resends))
    if declined is None:
        raise NotFound(f"no referral {referral.resends} to re-send", field="resends")
    if declined.person_id not in persons:
        raise Invalid(
            f"referral {referral.resends} is about another person than {referral.person_id}",
            field="resends",
        )
    _moved(declined, Move.RESEND, field="resends")
    if declined.resent_as is not None:
        raise Refused(
            f"referral {declined.id} was already re-sent as {declined.resent_as}", field="resends"
        )
    if declined.partner_id == str(referral.partner_id):
        raise Refused(
            f"partner {declined.partner_id} declined referral {declined.id}; "
            "re-send it to another partner",
            field="partner_id",
        )


async def accept_referral(acting: Acting, referral_id: UUID) -> EventEnvelope:
    async with acting.uow as uow:
        referral = await _addressed(acting, referral_id, Move.ACCEPT)
        payload = ReferralAccepted(
            referral_id=referral_id,
            person_id=UUID(referral.person_id),
            partner_id=UUID(referral.partner_id),
            complete_by=complete_by(Urgency(referral.urgency), acting.now),
        )
        return await _record(acting, referral.person_id, await _region(uow, referral), payload)


async def decline_referral(acting: Acting, referral_id: UUID, reason: str) -> EventEnvelope:
    async with acting.uow as uow:
        referral = await _addressed(acting, referral_id, Move.DECLINE)
        payload = ReferralDeclined(
            referral_id=referral_id,
            person_id=UUID(referral.person_id),
            partner_id=UUID(referral.partner_id),
            reason_sealed=acting.cipher.encrypt(reason, DECLINE_REASON_COLUMN),
        )
        return await _record(acting, referral.person_id, await _region(uow, referral), payload)


async def complete_referral(acting: Acting, referral_id: UUID, outcome: str) -> EventEnvelope:
    async with acting.uow as uow:
        referral = await _addressed(acting, referral_id, Move.COMPLETE)
        payload = ReferralCompleted(
            referral_id=referral_id,
            person_id=UUID(referral.person_id),
            partner_id=UUID(referral.partner_id),
            outcome_sealed=acting.cipher.encrypt(outcome, OUTCOME_COLUMN),
        )
        return await _record(acting, referral.person_id, await _region(uow, referral), payload)


async def withdraw_referral(acting: Acting, referral_id: UUID, reason: str) -> EventEnvelope:
    """The referrer takes the referral back; station staff and admins may do it for them."""
    caller = acting.caller
    require_role(caller, *REFERRERS)
    async with acting.uow as uow:
        referral = await _locked(uow.session, referral_id)
        region = await _region(uow, referral)
        require_region(caller, region)
        if caller.role is Role.SOCIAL_WORKER and caller.subject != referral.referred_by:
            raise Forbidden(
                f"referral {referral_id} was sent by {referral.referred_by}; only they, "
                "station staff or an admin can withdraw it",
                field="referral_id",
            )
        _moved(referral, Move.WITHDRAW)
        payload = ReferralWithdrawn(
            referral_id=referral_id,
            person_id=UUID(referral.person_id),
            partner_id=UUID(referral.partner_id),
            reason_sealed=acting.cipher.encrypt(reason, WITHDRAWAL_REASON_COLUMN),
        )
        return await _record(acting, referral.person_id, region, payload)


async def _addressed(acting: Acting, referral_id: UUID, wanted: Move) -> ReferralRecord:
    """The referral, if the caller is the partner it is addressed to and may move it."""
    caller = acting.caller
    referral = await _locked(acting.uow.session, referral_id)
    if caller.role is not Role.PARTNER:
        raise Forbidden(
            f"only the partner a referral is addressed to can {wanted.value} it; "
            f"you are {caller.role.value}",
            field="referral_id",
        )
    if caller.subject != referral.partner_id:
        raise Forbidden(
            f"referral {referral_id} is addressed to another partner", field="referral_id"
        )
    _moved(referral, wanted)
    return referral


async def _locked(session: AsyncSession, referral_id: UUID) -> ReferralRecord:
    # Locked on PostgreSQL, so that an answer and a withdrawal cannot both succeed.
    found = await session.scalar(
        select(ReferralRecord).where(ReferralRecord.id == str(referral_id)).with_for_update()
    )
    if found is None:
        raise NotFound(f"no referral {referral_id}", field="referral_id")
    return found


def _moved(referral: ReferralRecord, wanted: Move, *, field: str = "status") -> None:
    try:
        move(Status(referral.status), wanted)
    except MoveRefused as refused:
        raise Refused(str(refused), field=field) from None


async def _region(uow: UnitOfWork, referral: ReferralRecord) -> str:
    """Where the person's file is now; the referral's own region if it has none."""
    file = await file_of(uow.session, referral.person_id)
    return file.region_code if file is not None else referral.region_code


async def _record(acting: Acting, person_id: str, region: str, payload: BaseModel) -> EventEnvelope:
    event = new_event(
        payload,
        subject=person_id,
        region_code=region,
        producer=acting.producer,
        actor=acting.caller.subject,
    ).model_copy(update={"occurred_at": acting.now})
    await record(acting.uow, event, acting.producer)
    await acting.uow.commit()
    return event
