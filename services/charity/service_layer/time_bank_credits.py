"""Crediting volunteers for the visits and services the ledger records as theirs.

An idempotent consumer: the event is claimed in the same transaction as the credit,
and the entry's unique ``source_key`` (the ledger's service or visit) stops a second
credit even if the same work arrives in another event.
"""

from datetime import date
from uuid import UUID

import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select

from wushe.charity.adapters.time_bank_orm import TimeBankEntry
from wushe.charity.domain.time_bank import (
    DEFAULT_CREDIT_MINUTES,
    MINUTES_PER_DAY,
    EntryKind,
    credit_for,
    is_pool,
)
from wushe.charity.service_layer.time_bank_accounts import (
    Movement,
    locked_account,
    move,
    open_account,
)
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.time_bank import HoursCredited
from wushe.shared.events.visits import ServiceRecorded, VisitorKind, VisitRecorded
from wushe.shared.unit_of_work import UnitOfWork

CONSUMER = "charity.time_bank"

log = structlog.get_logger(__name__)


class TimeBankSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WUSHE_TIME_BANK_", extra="ignore")

    default_credit_minutes: int = Field(
        DEFAULT_CREDIT_MINUTES, ge=1, le=MINUTES_PER_DAY, description="Credited without a duration"
    )


async def credit_recorded_work(
    uow: UnitOfWork, producer: Producer, event: EventEnvelope, default_minutes: int
) -> EventEnvelope | None:
    """Credit the volunteer named by a ``service.recorded`` or ``visit.recorded`` once;
    returns ``hours.credited``, or None for work that earns nothing or was credited."""
    work = _volunteer_work(event)
    if work is None:
        return None
    volunteer, source_id, served_on, duration = work
    source_key = f"{event.type}:{source_id}"
    credit = credit_for(duration, default_minutes)
    async with uow:
        if not await uow.claim(CONSUMER, event):
            return None
        # Under the account's lock, a concurrent credit of the same work has committed
        # or not begun: the look-up below sees it either way.
        await open_account(uow.session, volunteer, event.region_code)
        await locked_account(uow.session, volunteer)
        taken = await uow.session.scalar(
            select(TimeBankEntry.id).where(TimeBankEntry.source_key == source_key)
        )
        if taken is not None:
            log.info("work already credited", source_key=source_key, entry_id=taken)
            await uow.commit()
            return None
        entry = await move(
            uow.session,
            Movement(volunteer, EntryKind.CREDITED, credit.minutes, event.region_code,
                     served_on, event.actor),
            source_key=source_key,
            source_event_id=event.id_text,
            defaulted=credit.defaulted,
        )  # fmt: skip
        credited = new_event(
            HoursCredited(
                entry_id=UUID(entry.id), volunteer_id=volunteer, minutes=credit.minutes,
                defaulted=credit.defaulted, served_on=served_on,
                region_code=event.region_code, source_event_id=event.id,
                source_event_type=event.type, source_id=source_id,
            ),
            subject=volunteer, region_code=event.region_code, producer=producer, cause=event,
        )  # fmt: skip
        await uow.emit(credited)
        await uow.commit()
    return credited


def _volunteer_work(event: EventEnvelope) -> tuple[str, UUID, date, int | None] | None:
    """Who earns what for the event: only a named volunteer (staff's work is paid)."""
    payload = event.typed_payload()
    if isinstance(payload, ServiceRecorded):
        volunteer, work = payload.volunteer_id, (payload.service_id, payload.served_on)
    elif isinstance(payload, VisitRecorded) and payload.visitor_kind is VisitorKind.VOLUNTEER:
        volunteer, work = payload.volunteer_id, (payload.visit_id, payload.visited_on)
    else:
        return None
    if volunteer is None or is_pool(volunteer):
        return None
    return volunteer, work[0], work[1], payload.duration_minutes
