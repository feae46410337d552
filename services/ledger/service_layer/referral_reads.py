"""Who may read which referrals: staff those of files in their region (where the person
lives now, as for the file itself), a partner only those addressed to it."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.ledger.adapters.orm import LedgerFileRecord
from wushe.ledger.adapters.referral_orm import ReferralRecord, ReferralStepRecord
from wushe.ledger.domain.referrals import Status, as_utc
from wushe.ledger.service_layer.files import file_of
from wushe.shared.auth import Caller, Role, require_region
from wushe.shared.refusals import Forbidden, NotFound
from wushe.shared.regions import scope_prefix

# Who reads the sealed texts: the staff who refer, and the partner addressed.
STAFF_READERS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)


def may_read_notes(caller: Caller, referral: ReferralRecord) -> bool:
    if caller.role is Role.PARTNER:
        return caller.subject == referral.partner_id
    return caller.role in STAFF_READERS


async def visible_referral(
    session: AsyncSession, caller: Caller, referral_id: UUID
) -> ReferralRecord:
    referral = await session.get(ReferralRecord, str(referral_id))
    if referral is None:
        raise NotFound(f"no referral {referral_id}", field="referral_id")
    if caller.role is Role.PARTNER:
        if caller.subject != referral.partner_id:
            raise Forbidden(
                f"referral {referral_id} is addressed to another partner", field="referral_id"
            )
        return referral
    file = await file_of(session, referral.person_id)
    require_region(caller, file.region_code if file is not None else referral.region_code)
    return referral


async def steps_of(session: AsyncSession, referral_id: str) -> list[ReferralStepRecord]:
    return (await histories_of(session, [referral_id]))[referral_id]


async def histories_of(
    session: AsyncSession, referral_ids: list[str]
) -> dict[str, list[ReferralStepRecord]]:
    """Each referral's steps, oldest first, read in one query for a whole page."""
    histories: dict[str, list[ReferralStepRecord]] = {rid: [] for rid in referral_ids}
    rows = await session.scalars(
        select(ReferralStepRecord)
        .where(ReferralStepRecord.referral_id.in_(referral_ids))
        .order_by(ReferralStepRecord.occurred_at, ReferralStepRecord.event_id)
    )
    for step in rows:
        histories[step.referral_id].append(step)
    return histories


@dataclass(frozen=True)
class ReferralFilter:
    status: Status | None = None
    partner_id: UUID | None = None
    person_id: UUID | None = None
    overdue: bool | None = None


async def visible_referrals(
    session: AsyncSession,
    caller: Caller,
    wanted: ReferralFilter,
    now: datetime,
    *,
    limit: int,
    offset: int,
) -> tuple[list[ReferralRecord], int]:
    """A page of the referrals the caller may see that match, newest first, and the total."""
    referral = ReferralRecord
    conditions: list[ColumnElement[bool]] = []
    statement = select(referral)
    if caller.role is Role.PARTNER:
        if wanted.partner_id is not None and str(wanted.partner_id) != caller.subject:
            raise Forbidden("a partner sees only the referrals addressed to it", field="partner_id")
        conditions.append(referral.partner_id == caller.subject)
    else:
        on_file = LedgerFileRecord.person_id == referral.person_id
        statement = statement.join(LedgerFileRecord, on_file)
        conditions.append(LedgerFileRecord.region_code.startswith(scope_prefix(caller.region)))
    if wanted.status is not None:
        conditions.append(referral.status == wanted.status.value)
    if wanted.partner_id is not None:
        conditions.append(referral.partner_id == str(wanted.partner_id))
    if wanted.person_id is not None:
        conditions.append(referral.person_id == str(wanted.person_id))
    if wanted.overdue is not None:
        late = _overdue(as_utc(now))
        conditions.append(late if wanted.overdue else ~late)
    matching = statement.where(*conditions)
    total = await session.scalar(select(func.count()).select_from(matching.subquery()))
    rows = await session.scalars(
        matching.order_by(referral.sent_at.desc(), referral.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


def _overdue(now: datetime) -> ColumnElement[bool]:
    referral = ReferralRecord
    return or_(
        and_(referral.status == Status.SENT.value, referral.respond_by < now),
        and_(referral.status == Status.ACCEPTED.value, referral.complete_by < now),
    )
