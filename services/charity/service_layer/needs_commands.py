"""Posting a need and every later step of it, each with its event in the same
transaction.

A step locks the need's row before reading its status, so two organisations taking
one need at once are served one after the other and the second finds it taken; taking
also locks the offer it counts against, so an offer's capacity is never overrun.
"""

from datetime import UTC, date, datetime
from uuid import UUID

from uuid_utils.compat import uuid7

from wushe.charity.adapters.goods_locks import locked
from wushe.charity.adapters.needs_orm import NeedRecord, NeedStepRecord, OfferRecord
from wushe.charity.domain.needs_lifecycle import (
    NeedPosting,
    NeedStatus,
    NeedStep,
    after,
)
from wushe.charity.domain.offers_matching import best_offer_for_taking, offers_kind_and_region
from wushe.charity.domain.refusals import Forbidden, NotFound, Refused, require_within
from wushe.charity.service_layer.offers_standing import in_force, offers_standing
from wushe.shared.auth import Caller
from wushe.shared.events import Producer, new_event
from wushe.shared.events.needs import (
    NeedCancelled,
    NeedConfirmed,
    NeedFacts,
    NeedFulfilled,
    NeedFulfilmentRejected,
    NeedKind,
    NeedPosted,
    NeedTaken,
)
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.unit_of_work import UnitOfWork

NOTE_COLUMN = "need_steps.note"


async def post_need(
    uow: UnitOfWork, posting: NeedPosting, *, caller: Caller, today: date, producer: Producer
) -> NeedRecord:
    """A station posts a need (点单)."""
    posting.check(today)
    require_within(caller, posting.region_code)
    async with uow:
        now = datetime.now(UTC)
        need = NeedRecord(
            id=str(uuid7()), region_code=posting.region_code, kind=posting.kind.value,
            quantity=posting.quantity, unit=posting.unit, summary=posting.summary,
            person_id=None if posting.person_id is None else str(posting.person_id),
            deadline=posting.deadline, status=NeedStatus.POSTED.value,
            posted_by=caller.subject, posted_at=now,
        )  # fmt: skip
        uow.session.add(need)
        posted = NeedPosted.model_validate(_facts(need))
        await _step(uow, need, "posted", posted, caller, producer, now)
        await uow.commit()
    return need


async def take_need(
    uow: UnitOfWork, need_id: UUID, *, caller: Caller, producer: Producer
) -> NeedRecord:
    """An organisation takes a need (接单), against its offer that fits it best."""
    async with uow:
        need = await _need_locked(uow, need_id, caller)
        status = after(NeedStatus(need.status), NeedStep.TAKE)
        own = await offers_standing(
            uow.session, OfferRecord.partner_id == caller.subject, in_force()
        )
        if not any(offers_kind_and_region(offer, need.kind, need.region_code) for offer in own):
            raise Refused(
                f"none of your offers provides {need.kind} in {need.region_code}; "
                "post an offer first (您的供给清单未覆盖该需求的种类和地区)",
                field="kind",
            )
        # The offer's lock serialises the organisation's takings against it; its
        # standing is read again under the lock.
        chosen = best_offer_for_taking(own, need.kind, need.region_code)
        if chosen is not None:
            await locked(uow.session, OfferRecord, chosen.offer_id)
            own = await offers_standing(uow.session, OfferRecord.id == chosen.offer_id, in_force())
            chosen = best_offer_for_taking(own, need.kind, need.region_code)
        if chosen is None:
            raise Refused(
                "your offers for this kind and region are at full capacity (承接能力已满)",
                field="capacity",
            )
        now = datetime.now(UTC)
        need.status, need.taken_by, need.offer_id = status.value, caller.subject, chosen.offer_id
        need.taken_at = now
        taken = NeedTaken.model_validate(
            {**_facts(need), "partner_id": caller.subject, "offer_id": chosen.offer_id}
        )
        await _step(uow, need, "taken", taken, caller, producer, now)
        await uow.commit()
    return need


async def fulfil_need(
    uow: UnitOfWork, need_id: UUID, note: str | None, *, caller: Caller, cipher: FieldCipher,
    producer: Producer,
) -> NeedRecord:  # fmt: skip
    """The organisation that took the need reports it fulfilled."""
    async with uow:
        need = await _need_locked(uow, need_id, caller)
        if need.taken_by != caller.subject:
            raise Forbidden(
                "only the organisation that took the need can report it fulfilled "
                "(仅接单组织可提交完成)",
                field="need_id",
            )
        status = after(NeedStatus(need.status), NeedStep.FULFIL)
        now = datetime.now(UTC)
        need.status, need.fulfilled_at = status.value, now
        fulfilled = NeedFulfilled.model_validate({**_facts(need), "partner_id": caller.subject})
        await _step(uow, need, "fulfilled", fulfilled, caller, producer, now, note, cipher)
        await uow.commit()
    return need


async def confirm_need(
    uow: UnitOfWork, need_id: UUID, *, caller: Caller, producer: Producer
) -> NeedRecord:
    """The station confirms the need was met."""
    async with uow:
        need = await _need_locked(uow, need_id, caller)
        status = after(NeedStatus(need.status), NeedStep.CONFIRM)
        now = datetime.now(UTC)
        need.status, need.closed_at = status.value, now
        assert need.taken_by is not None
        confirmed = NeedConfirmed.model_validate({**_facts(need), "partner_id": need.taken_by})
        await _step(uow, need, "confirmed", confirmed, caller, producer, now)
        await uow.commit()
    return need


async def reject_fulfilment(
    uow: UnitOfWork, need_id: UUID, reason: str, *, caller: Caller, cipher: FieldCipher,
    producer: Producer,
) -> NeedRecord:  # fmt: skip
    """The station finds the fulfilment wanting; the need goes back to its taker."""
    async with uow:
        need = await _need_locked(uow, need_id, caller)
        status = after(NeedStatus(need.status), NeedStep.REJECT_FULFILMENT)
        now = datetime.now(UTC)
        need.status, need.fulfilled_at = status.value, None
        assert need.taken_by is not None
        rejected = NeedFulfilmentRejected.model_validate(
            {**_facts(need), "partner_id": need.taken_by}
        )
        await _step(uow, need, "fulfilment_rejected", rejected, caller, producer, now, reason,
                    cipher)  # fmt: skip
        await uow.commit()
    return need


async def cancel_need(
    uow: UnitOfWork, need_id: UUID, reason: str, *, caller: Caller, cipher: FieldCipher,
    producer: Producer,
) -> NeedRecord:  # fmt: skip
    """The station withdraws a need that is not yet fulfilled."""
    async with uow:
        need = await _need_locked(uow, need_id, caller)
        status = after(NeedStatus(need.status), NeedStep.CANCEL)
        now = datetime.now(UTC)
        need.status, need.closed_at = status.value, now
        cancelled = NeedCancelled.model_validate({**_facts(need), "partner_id": need.taken_by})
        await _step(uow, need, "cancelled", cancelled, caller, producer, now, reason, cipher)
        await uow.commit()
    return need


async def _need_locked(uow: UnitOfWork, need_id: UUID, caller: Caller) -> NeedRecord:
    need = await locked(uow.session, NeedRecord, str(need_id))
    if need is None or not caller.may_access(need.region_code):
        raise NotFound(f"no need {need_id} in your region (无此需求)", field="need_id")
    return need


def _facts(need: NeedRecord) -> dict[str, object]:
    return NeedFacts(
        need_id=UUID(need.id), kind=NeedKind(need.kind), quantity=need.quantity,
        region_code=need.region_code, deadline=need.deadline,
        person_id=None if need.person_id is None else UUID(need.person_id),
    ).model_dump()  # fmt: skip


async def _step(
    uow: UnitOfWork, need: NeedRecord, step: str, payload: NeedFacts, caller: Caller,
    producer: Producer, now: datetime, note: str | None = None,
    cipher: FieldCipher | None = None,
) -> None:  # fmt: skip
    """Record the step in the need's history and emit its event."""
    uow.session.add(
        NeedStepRecord(
            id=str(uuid7()), need_id=need.id, step=step, status=need.status,
            region_code=need.region_code, partner_id=need.taken_by, actor=caller.subject,
            note_sealed=cipher.encrypt(note, column=NOTE_COLUMN) if note and cipher else None,
            occurred_at=now,
        )
    )  # fmt: skip
    await uow.emit(
        new_event(
            payload, subject=need.id, region_code=need.region_code, producer=producer,
            actor=caller.subject,
        )
    )  # fmt: skip
