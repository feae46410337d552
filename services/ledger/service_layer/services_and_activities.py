"""Individual services and group activities.

Their figures, service-times (服务人次) among them, are counted by the reports
(``reports.count_visits_and_services``) by where the work was recorded (the event's
region), so a person who moves later does not take their past services to the new station.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.ledger.adapters.visit_orm import ActivityRecord, ServiceRecord
from wushe.ledger.service_layer.commands import record
from wushe.ledger.service_layer.files import active_file
from wushe.ledger.service_layer.visit_plans import today_in_china
from wushe.ledger.service_layer.volunteer_work import volunteer_of
from wushe.shared.auth import Caller, require_region
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.visits import ActivityHeld, ActivityKind, ServiceKind, ServiceRecorded
from wushe.shared.refusals import Invalid
from wushe.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class NewActivity:
    region_code: str
    title: str
    kind: ActivityKind
    held_on: date
    participants: int
    volunteers: int = 0


def _not_in_future(day: date, field: str) -> None:
    if day > today_in_china():
        raise Invalid(f"{field} {day} is in the future", field=field)


async def record_service(
    uow: UnitOfWork,
    producer: Producer,
    caller: Caller,
    person_id: str,
    kind: ServiceKind,
    served_on: date,
    duration_minutes: int | None = None,
    volunteer_id: str | None = None,
) -> EventEnvelope:
    _not_in_future(served_on, "served_on")
    volunteer = volunteer_of(caller, volunteer_id)
    async with uow:
        file = await active_file(uow.session, person_id)
        require_region(caller, file.region_code)
        service = ServiceRecorded(
            service_id=uuid7(),
            person_id=UUID(file.person_id),
            kind=kind,
            served_on=served_on,
            duration_minutes=duration_minutes,
            volunteer_id=volunteer,
        )
        event = new_event(
            service,
            subject=file.person_id,
            region_code=file.region_code,
            producer=producer,
            actor=caller.subject,
        )
        await record(uow, event, producer)
        await uow.commit()
    return event


async def hold_activity(
    uow: UnitOfWork, producer: Producer, caller: Caller, activity: NewActivity
) -> EventEnvelope:
    _not_in_future(activity.held_on, "held_on")
    require_region(caller, activity.region_code)
    held = ActivityHeld(
        activity_id=uuid7(),
        region_code=activity.region_code,
        title=activity.title,
        kind=activity.kind,
        held_on=activity.held_on,
        participants=activity.participants,
        volunteers=activity.volunteers,
    )
    async with uow:
        event = new_event(
            held,
            subject=str(held.activity_id),
            region_code=activity.region_code,
            producer=producer,
            actor=caller.subject,
        )
        await record(uow, event, producer)
        await uow.commit()
    return event


async def activities_within(
    session: AsyncSession, region_prefix: str, start: date, end: date
) -> list[ActivityRecord]:
    rows = await session.scalars(
        select(ActivityRecord)
        .where(
            ActivityRecord.region_code.startswith(region_prefix),
            ActivityRecord.held_on.between(start, end),
        )
        .order_by(ActivityRecord.held_on.desc(), ActivityRecord.id)
    )
    return list(rows)


async def services_of(session: AsyncSession, persons: list[str]) -> list[ServiceRecord]:
    rows = await session.scalars(
        select(ServiceRecord)
        .where(ServiceRecord.person_id.in_(persons))
        .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())
    )
    return list(rows)
