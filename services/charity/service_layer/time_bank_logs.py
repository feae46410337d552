"""Hours volunteers log themselves: the station of a covering region confirms them (then
they count) or rejects them with a reason. A log is decided once."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import select
from uuid_utils.compat import uuid7

from wushe.charity.adapters.time_bank_orm import TimeBankEntry, TimeBankLog
from wushe.charity.domain.refusals import (
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    require_within,
)
from wushe.charity.domain.time_bank import EntryKind, LogStatus
from wushe.charity.service_layer.time_bank_accounts import Movement, move
from wushe.shared.auth import Caller
from wushe.shared.events import Producer, new_event
from wushe.shared.events.time_bank import HoursConfirmed, HoursLogged, HoursRejected
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.unit_of_work import UnitOfWork

WHAT_COLUMN = "time_bank_logs.what"
PLACE_COLUMN = "time_bank_logs.place"
REASON_COLUMN = "time_bank_logs.reason"


@dataclass(frozen=True)
class NewLog:
    what: str
    place: str
    served_on: date
    minutes: int
    region_code: str


async def log_hours(
    uow: UnitOfWork, producer: Producer, cipher: FieldCipher, caller: Caller, new: NewLog,
    today: date,
) -> TimeBankLog:  # fmt: skip
    """A volunteer logs hours of their own; emits ``hours.logged``."""
    if new.served_on > today:
        raise Invalid(
            f"served_on {new.served_on} is in the future (服务日期不能晚于今天)", field="served_on"
        )
    require_within(caller, new.region_code)
    row = TimeBankLog(
        id=str(uuid7()), volunteer_id=caller.subject, region_code=new.region_code,
        served_on=new.served_on, minutes=new.minutes,
        what_sealed=cipher.encrypt(new.what, WHAT_COLUMN),
        place_sealed=cipher.encrypt(new.place, PLACE_COLUMN),
        status=LogStatus.PENDING.value, logged_at=datetime.now(UTC),
    )  # fmt: skip
    async with uow:
        uow.session.add(row)
        await uow.emit(
            new_event(
                HoursLogged(
                    log_id=UUID(row.id),
                    volunteer_id=caller.subject,
                    minutes=new.minutes,
                    served_on=new.served_on,
                    region_code=new.region_code,
                ),
                subject=caller.subject,
                region_code=new.region_code,
                producer=producer,
                actor=caller.subject,
            )
        )
        await uow.commit()
    return row


async def _pending_log(uow: UnitOfWork, caller: Caller, log_id: UUID) -> TimeBankLog:
    log = await uow.session.scalar(
        select(TimeBankLog).where(TimeBankLog.id == str(log_id)).with_for_update()
    )
    if log is None:
        raise NotFound(f"no logged hours {log_id} (无此登记)", field="log_id")
    require_within(caller, log.region_code)
    if log.volunteer_id == caller.subject:
        raise Forbidden("no one confirms their own hours (不能确认本人的时长)", field="log_id")
    if log.status != LogStatus.PENDING:
        raise Refused(f"logged hours {log_id} were already {log.status} (已处理)", field="log_id")
    return log


async def confirm_log(
    uow: UnitOfWork, producer: Producer, caller: Caller, log_id: UUID
) -> tuple[TimeBankLog, TimeBankEntry]:
    """The station confirms logged hours: they are credited; emits ``hours.confirmed``."""
    async with uow:
        log = await _pending_log(uow, caller, log_id)
        entry = await move(
            uow.session,
            Movement(log.volunteer_id, EntryKind.CONFIRMED, log.minutes, log.region_code,
                     log.served_on, caller.subject),
            log_id=log.id,
        )  # fmt: skip
        _decide(log, caller, LogStatus.CONFIRMED)
        log.entry_id = entry.id
        await uow.emit(
            new_event(
                HoursConfirmed(
                    log_id=log_id,
                    entry_id=UUID(entry.id),
                    volunteer_id=log.volunteer_id,
                    minutes=log.minutes,
                    served_on=log.served_on,
                    region_code=log.region_code,
                ),
                subject=log.volunteer_id,
                region_code=log.region_code,
                producer=producer,
                actor=caller.subject,
            )
        )
        await uow.commit()
    return log, entry


async def reject_log(
    uow: UnitOfWork, producer: Producer, cipher: FieldCipher, caller: Caller, log_id: UUID,
    reason: str,
) -> TimeBankLog:  # fmt: skip
    """The station rejects logged hours with a reason; emits ``hours.rejected``."""
    async with uow:
        log = await _pending_log(uow, caller, log_id)
        _decide(log, caller, LogStatus.REJECTED)
        log.reason_sealed = cipher.encrypt(reason, REASON_COLUMN)
        await uow.emit(
            new_event(
                HoursRejected(
                    log_id=log_id,
                    volunteer_id=log.volunteer_id,
                    minutes=log.minutes,
                    region_code=log.region_code,
                ),
                subject=log.volunteer_id,
                region_code=log.region_code,
                producer=producer,
                actor=caller.subject,
            )
        )
        await uow.commit()
    return log


def _decide(log: TimeBankLog, caller: Caller, status: LogStatus) -> None:
    log.status = status.value
    log.decided_by = caller.subject
    log.decided_at = datetime.now(UTC)


async def logs_within(
    uow: UnitOfWork, region_prefix: str, status: LogStatus | None, volunteer_id: str | None
) -> list[TimeBankLog]:
    query = select(TimeBankLog).where(TimeBankLog.region_code.startswith(region_prefix))
    if status is not None:
        query = query.where(TimeBankLog.status == status.value)
    if volunteer_id is not None:
        query = query.where(TimeBankLog.volunteer_id == volunteer_id)
    async with uow:
        return list(await uow.session.scalars(query.order_by(TimeBankLog.id.desc()).limit(500)))
