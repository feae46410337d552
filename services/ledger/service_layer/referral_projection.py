"""The referrals and their steps, from the ``referral.*`` events alone.

A referral's events are keyed by its person, so they arrive in order; the link from a
declined referral to the one re-sending it is set by whichever of the two comes second.
Sealed texts are stored as they travelled and left out of the steps and the timeline.
"""

from collections.abc import Mapping

from pydantic import BaseModel
from sqlalchemy import select

from wushe.ledger.adapters.referral_orm import ReferralRecord, ReferralStepRecord
from wushe.ledger.domain.referrals import LEVELS, Status, as_utc
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.ledger.service_layer.timeline import add_entry
from wushe.shared.events.referrals import (
    DeadlineKind,
    ReferralAccepted,
    ReferralCompleted,
    ReferralDeclined,
    ReferralEscalated,
    ReferralSent,
    ReferralWithdrawn,
)

# Which deadline a referral in each state is running against.
RUNNING = {Status.SENT: DeadlineKind.RESPONSE, Status.ACCEPTED: DeadlineKind.COMPLETION}


def _step(applying: Applying, referral: ReferralRecord, payload: BaseModel) -> None:
    details: Mapping[str, object] = payload.model_dump(
        mode="json", exclude={"referral_id", "person_id"}
    )
    sealed = [name for name in details if name.endswith("_sealed")]
    shown = {name: value for name, value in details.items() if name not in sealed}
    shown |= {f"{name.removesuffix('_sealed')}_recorded": bool(details[name]) for name in sealed}
    event = applying.event
    applying.session.add(
        ReferralStepRecord(
            event_id=event.id_text,
            referral_id=referral.id,
            event_type=event.type,
            status=referral.status,
            occurred_at=as_utc(event.occurred_at),
            actor=event.actor,
            trace_id=applying.trace_id,
            details=shown,
        )
    )
    add_entry(applying, referral.person_id, {"referral_id": referral.id, **shown})


@projection.on("referral.sent")
async def keep_referral(applying: Applying) -> None:
    sent = ReferralSent.model_validate(applying.event.payload)
    event = applying.event
    referral = ReferralRecord(
        id=str(sent.referral_id),
        person_id=str(sent.person_id),
        case_id=str(sent.case_id) if sent.case_id else None,
        partner_id=str(sent.partner_id),
        partner_kind=sent.partner_kind.value,
        urgency=sent.urgency.value,
        status=Status.SENT.value,
        region_code=event.region_code,
        groups=list(sent.groups),
        reason=sent.reason_sealed,
        referred_by=event.actor,
        legal_basis=sent.legal_basis.value if sent.legal_basis else None,
        legal_basis_note=sent.legal_basis_note_sealed,
        sent_at=as_utc(event.occurred_at),
        respond_by=as_utc(sent.respond_by),
        resends=str(sent.resends) if sent.resends else None,
        resent_as=await applying.session.scalar(
            select(ReferralRecord.id).where(ReferralRecord.resends == str(sent.referral_id))
        ),
    )
    applying.session.add(referral)
    if sent.resends is not None:
        declined = await applying.session.get(ReferralRecord, str(sent.resends))
        if declined is not None:
            declined.resent_as = referral.id
    _step(applying, referral, sent)


async def _referral(applying: Applying, referral_id: object) -> ReferralRecord:
    referral = await applying.session.get(ReferralRecord, str(referral_id))
    if referral is None:
        raise LookupError(f"{applying.event.type} for unknown referral {referral_id}")
    return referral


def _answered(referral: ReferralRecord, applying: Applying, status: Status) -> None:
    referral.status = status.value
    referral.escalated = None  # a new deadline starts, or none runs any more
    if status in (Status.ACCEPTED, Status.DECLINED):
        referral.responded_at = as_utc(applying.event.occurred_at)
    else:
        referral.closed_at = as_utc(applying.event.occurred_at)


@projection.on("referral.accepted")
async def note_acceptance(applying: Applying) -> None:
    accepted = ReferralAccepted.model_validate(applying.event.payload)
    referral = await _referral(applying, accepted.referral_id)
    _answered(referral, applying, Status.ACCEPTED)
    referral.complete_by = as_utc(accepted.complete_by)
    _step(applying, referral, accepted)


@projection.on("referral.declined")
async def note_decline(applying: Applying) -> None:
    declined = ReferralDeclined.model_validate(applying.event.payload)
    referral = await _referral(applying, declined.referral_id)
    _answered(referral, applying, Status.DECLINED)
    referral.decline_reason = declined.reason_sealed
    _step(applying, referral, declined)


@projection.on("referral.completed")
async def note_completion(applying: Applying) -> None:
    completed = ReferralCompleted.model_validate(applying.event.payload)
    referral = await _referral(applying, completed.referral_id)
    _answered(referral, applying, Status.DONE)
    referral.outcome = completed.outcome_sealed
    _step(applying, referral, completed)


@projection.on("referral.withdrawn")
async def note_withdrawal(applying: Applying) -> None:
    withdrawn = ReferralWithdrawn.model_validate(applying.event.payload)
    referral = await _referral(applying, withdrawn.referral_id)
    _answered(referral, applying, Status.WITHDRAWN)
    referral.withdrawal_reason = withdrawn.reason_sealed
    _step(applying, referral, withdrawn)


@projection.on("referral.escalated")
async def note_escalation(applying: Applying) -> None:
    escalated = ReferralEscalated.model_validate(applying.event.payload)
    referral = await _referral(applying, escalated.referral_id)
    if RUNNING.get(Status(referral.status)) is escalated.deadline:
        told = (referral.escalated, escalated.level)
        reached = [level for level in LEVELS if level.value in told]
        referral.escalated = reached[-1].value
    _step(applying, referral, escalated)
