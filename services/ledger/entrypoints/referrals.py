"""Referrals to partner agencies (转介): send, answer, complete, withdraw, read.

Staff send and withdraw them; the partner addressed (a token with role ``partner``
whose subject is its partner id) accepts or declines them and reports them done.
"""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Query, status

from wushe.ledger.domain.referrals import Status
from wushe.ledger.entrypoints.referral_views import (
    EscalationCheck,
    Outcome,
    Reason,
    ReferralPage,
    ReferralRequest,
    ReferralView,
    referral_view,
)
from wushe.ledger.service_layer import referrals as commands
from wushe.ledger.service_layer.referral_escalation import escalate_referrals
from wushe.ledger.service_layer.referral_reads import (
    ReferralFilter,
    histories_of,
    may_read_notes,
    steps_of,
    visible_referral,
    visible_referrals,
)
from wushe.shared.auth import Caller, CurrentCaller, Role, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.runtime import ServiceRuntime

router = APIRouter(prefix="/referrals", tags=["referrals"])


def _acting(runtime: ServiceRuntime, caller: Caller) -> commands.Acting:
    return commands.Acting(
        uow=runtime.unit_of_work(),
        producer=runtime.producer,
        cipher=runtime.settings.field_cipher(),
        caller=caller,
        now=datetime.now(UTC),
    )


async def _read(runtime: ServiceRuntime, caller: Caller, referral_id: UUID) -> ReferralView:
    async with runtime.snapshot() as session:
        referral = await visible_referral(session, caller, referral_id)
        steps = await steps_of(session, referral.id)
    cipher = runtime.settings.field_cipher() if may_read_notes(caller, referral) else None
    return referral_view(referral, steps, cipher=cipher, now=datetime.now(UTC))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReferralView)
async def send_referral(
    request: ReferralRequest, caller: CurrentCaller, runtime: RuntimeDep
) -> ReferralView:
    """Refer a person to a partner; emits `referral.sent`.

    Refused with 409 naming `consent` unless the person's consent covers
    `data_sharing_with_partners` for the partner's kind, or a `legal_basis` with a
    note is named. To re-send a declined referral to another partner, name it in
    `resends`.
    """
    sent = await commands.send_referral(_acting(runtime, caller), request.command())
    return await _read(runtime, caller, UUID(str(sent.payload["referral_id"])))


@router.get("", response_model=ReferralPage)
async def list_referrals(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    status: Status | None = Query(None, description="sent, accepted, declined, done, withdrawn"),
    partner_id: UUID | None = None,
    person_id: UUID | None = None,
    overdue: bool | None = Query(None, description="Only those late (true) or not (false)"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> ReferralPage:
    """Staff see the referrals of files in their region; a partner those addressed to it."""
    now = datetime.now(UTC)
    wanted = ReferralFilter(status, partner_id, person_id, overdue)
    async with runtime.snapshot() as session:
        found, total = await visible_referrals(
            session, caller, wanted, now, limit=limit, offset=offset
        )
        histories = await histories_of(session, [referral.id for referral in found])
    cipher = runtime.settings.field_cipher()
    items = [
        referral_view(
            referral,
            histories[referral.id],
            cipher=cipher if may_read_notes(caller, referral) else None,
            now=now,
        )
        for referral in found
    ]
    return ReferralPage(items=items, total=total, limit=limit, offset=offset)


@router.post("/escalation-check", response_model=EscalationCheck)
async def check_escalations(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    as_of: datetime | None = Query(None, description="The time to check at; default now"),
) -> EscalationCheck:
    """Escalate now (admins only) what the periodic sweep would: every referral past its
    deadline goes to the station head, and later to the district, once per level."""
    require_role(caller, Role.ADMIN)
    moment = as_of or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    found = await escalate_referrals(runtime.unit_of_work(), runtime.producer, moment)
    return EscalationCheck(
        as_of=moment,
        escalated=[{"referral_id": rid, "level": level.value} for rid, level in found.escalated],
    )


@router.get("/{referral_id}", response_model=ReferralView)
async def get_referral(
    referral_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> ReferralView:
    """The referral with its deadlines, whether it is late, and its whole history."""
    return await _read(runtime, caller, referral_id)


@router.post("/{referral_id}/acceptance", response_model=ReferralView)
async def accept(referral_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> ReferralView:
    """The partner addressed takes the referral on; its completion deadline starts."""
    await commands.accept_referral(_acting(runtime, caller), referral_id)
    return await _read(runtime, caller, referral_id)


@router.post("/{referral_id}/decline", response_model=ReferralView)
async def decline(
    referral_id: UUID, body: Reason, caller: CurrentCaller, runtime: RuntimeDep
) -> ReferralView:
    """The partner addressed declines, saying why; the referrer may re-send it elsewhere."""
    await commands.decline_referral(_acting(runtime, caller), referral_id, body.reason)
    return await _read(runtime, caller, referral_id)


@router.post("/{referral_id}/completion", response_model=ReferralView)
async def complete(
    referral_id: UUID, body: Outcome, caller: CurrentCaller, runtime: RuntimeDep
) -> ReferralView:
    """The partner addressed reports the referral done, with its outcome."""
    await commands.complete_referral(_acting(runtime, caller), referral_id, body.outcome)
    return await _read(runtime, caller, referral_id)


@router.post("/{referral_id}/withdrawal", response_model=ReferralView)
async def withdraw(
    referral_id: UUID, body: Reason, caller: CurrentCaller, runtime: RuntimeDep
) -> ReferralView:
    """The referrer (or station staff, an admin) takes back a sent or accepted referral."""
    await commands.withdraw_referral(_acting(runtime, caller), referral_id, body.reason)
    return await _read(runtime, caller, referral_id)
