"""Donations that online fundraising platforms report through events: each platform
transaction recorded once (however often it is delivered or resubmitted), or refused
with the reason in an event, never left to block the topic."""

from collections.abc import Callable

import structlog
from sqlalchemy import select

from wushe.charity.adapters.orm import DonationRecord
from wushe.charity.domain.donation import Channel, DonationEntry
from wushe.charity.domain.refusals import Refused
from wushe.charity.domain.restrictions import Restriction, RestrictionKind
from wushe.charity.service_layer.donations import Desk, add_donation
from wushe.shared.auth import Caller, Role
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.charity import OnlineDonationRefused, OnlineDonationSubmitted
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.unit_of_work import UnitOfWork

CONSUMER = "charity.online_donations"
log = structlog.get_logger(__name__)


async def record_online_donation(
    unit_of_work: Callable[[], UnitOfWork],
    event: EventEnvelope,
    producer: Producer,
    cipher: FieldCipher,
) -> None:
    submitted = OnlineDonationSubmitted.model_validate(event.payload)
    reference = f"{submitted.platform}:{submitted.transaction_id}"
    caller = Caller(subject=f"platform:{submitted.platform}", role=Role.PARTNER,
                    region=event.region_code)  # fmt: skip
    try:
        async with unit_of_work() as uow:
            if not await uow.claim(CONSUMER, event) or await _recorded(uow, reference):
                return
            entry = DonationEntry(amount_fen=submitted.amount_fen, channel=Channel.ONLINE_CAMPAIGN,
                                  anonymous=True, restriction=_restriction(submitted))  # fmt: skip
            desk = Desk(caller, producer, cipher)
            # The platform's report may come after the day its donor gave.
            await add_donation(
                uow, str(submitted.fund_id), entry, desk,
                external_reference=reference, donated_at=event.occurred_at,
            )  # fmt: skip
            await uow.commit()
    except (Refused, ValueError) as refusal:
        await _refuse(unit_of_work(), event, submitted, refusal, producer)


async def _recorded(uow: UnitOfWork, reference: str) -> bool:
    found = await uow.session.scalar(
        select(DonationRecord.id).where(DonationRecord.external_reference == reference)
    )
    return found is not None


def _restriction(submitted: OnlineDonationSubmitted) -> Restriction | None:
    if submitted.restriction_kind is None or submitted.restriction_target is None:
        return None
    return Restriction(kind=RestrictionKind(submitted.restriction_kind),
                       target=submitted.restriction_target)  # fmt: skip


async def _refuse(
    uow: UnitOfWork, event: EventEnvelope, submitted: OnlineDonationSubmitted,
    refusal: Exception, producer: Producer,
) -> None:  # fmt: skip
    field = refusal.field if isinstance(refusal, Refused) else "restriction"
    log.warning(
        "online donation refused", transaction=submitted.transaction_id, reason=str(refusal)
    )
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return
        payload = OnlineDonationRefused(
            platform=submitted.platform, transaction_id=submitted.transaction_id,
            fund_id=submitted.fund_id, amount_fen=submitted.amount_fen, field=field,
            reason=str(refusal)[:200],
        )  # fmt: skip
        await uow.emit(
            new_event(payload, subject=str(submitted.fund_id), region_code=event.region_code,
                      producer=producer, cause=event)
        )  # fmt: skip
        await uow.commit()
