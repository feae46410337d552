"""Donating minutes, spending them on services, and reversing an entry that was wrong.

A donation is two entries in one transaction (given, received) sharing a transfer id;
the accounts are locked in id order, so that two donations between the same two
volunteers in opposite directions cannot deadlock.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import select
from uuid_utils.compat import uuid7

from wushe.charity.adapters.time_bank_orm import TimeBankAccount, TimeBankEntry
from wushe.charity.domain.refusals import (
    Forbidden,
    Invalid,
    NotFound,
    Refused,
    require_within,
)
from wushe.charity.domain.time_bank import (
    POOL_PREFIX,
    REVERSIBLE_KINDS,
    EntryKind,
    is_pool,
    pool_account,
)
from wushe.charity.service_layer.time_bank_accounts import (
    Movement,
    locked_account,
    move,
    open_account,
)
from wushe.shared.auth import Caller
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.time_bank import Beneficiary, HoursDonated, HoursReversed, HoursSpent
from wushe.shared.events.visits import ServiceKind
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.unit_of_work import UnitOfWork

REVERSAL_REASON_COLUMN = "time_bank_entries.reason"


@dataclass(frozen=True)
class Donation:
    minutes: int
    to_volunteer_id: str | None
    to_pool_region: str | None


@dataclass(frozen=True)
class Spending:
    account_id: str
    minutes: int
    service_kind: ServiceKind
    beneficiary: Beneficiary
    person_id: UUID | None
    spent_on: date
    region_code: str


def _account_fields(account_id: str) -> dict[str, str | None]:
    if is_pool(account_id):
        return {"volunteer_id": None, "pool_region": account_id.removeprefix(POOL_PREFIX)}
    return {"volunteer_id": account_id, "pool_region": None}


async def donate(
    uow: UnitOfWork, producer: Producer, caller: Caller, donation: Donation, today: date
) -> EventEnvelope:
    """The calling volunteer gives minutes to another volunteer or to a region's pool."""
    giver, receiver = caller.subject, _receiver_of(caller, donation)
    transfer_id = str(uuid7())
    async with uow:
        source = await uow.session.get(TimeBankAccount, giver)
        if source is None:
            raise Refused(f"{giver} has no hours to donate (尚无时间余额)", field="minutes")
        region = source.region_code
        await open_account(uow.session, receiver, donation.to_pool_region or region)
        for account_id in sorted((giver, receiver)):
            await locked_account(uow.session, account_id)
        await move(
            uow.session,
            Movement(giver, EntryKind.DONATED, -donation.minutes, region, today, giver),
            transfer_id=transfer_id, counterpart_account_id=receiver,
        )  # fmt: skip
        await move(
            uow.session,
            Movement(receiver, EntryKind.RECEIVED, donation.minutes, region, today, giver),
            transfer_id=transfer_id, counterpart_account_id=giver,
        )  # fmt: skip
        event = new_event(
            HoursDonated(
                transfer_id=UUID(transfer_id), from_volunteer_id=giver,
                to_volunteer_id=donation.to_volunteer_id, to_pool_region=donation.to_pool_region,
                minutes=donation.minutes, region_code=region,
            ),
            subject=giver, region_code=region, producer=producer, actor=giver,
        )  # fmt: skip
        await uow.emit(event)
        await uow.commit()
    return event


def _receiver_of(caller: Caller, donation: Donation) -> str:
    """The account a donation goes to: a region's pool, or another volunteer."""
    if donation.to_pool_region is not None:
        require_within(caller, donation.to_pool_region, field="to_pool_region")
        return pool_account(donation.to_pool_region)
    receiver = donation.to_volunteer_id
    if receiver is None:
        raise Invalid(
            "name to_volunteer_id or to_pool_region (请填写受赠人)", field="to_volunteer_id"
        )
    if receiver == caller.subject:
        raise Invalid(
            "a volunteer cannot donate to themselves (不能转赠给自己)", field="to_volunteer_id"
        )
    if is_pool(receiver):
        raise Invalid(
            "name a pool by to_pool_region (公益池请用to_pool_region)", field="to_volunteer_id"
        )
    return receiver


async def spend(
    uow: UnitOfWork, producer: Producer, caller: Caller, spending: Spending, today: date
) -> EventEnvelope:
    """The station records a service paid for with the account's minutes."""
    if spending.spent_on > today:
        raise Invalid(
            f"spent_on {spending.spent_on} is in the future (服务日期不能晚于今天)",
            field="spent_on",
        )
    require_within(caller, spending.region_code)
    pool = is_pool(spending.account_id)
    if pool and spending.beneficiary is not Beneficiary.PERSON_IN_NEED:
        raise Invalid(
            "a pool's hours go to a person in need (公益池时间仅用于困难群众)", field="beneficiary"
        )
    if spending.beneficiary is Beneficiary.PERSON_IN_NEED and spending.person_id is None:
        raise Invalid("name the person in need by person_id (请填写服务对象)", field="person_id")
    async with uow:
        account = await _account_in_reach(uow, caller, spending.account_id)
        entry = await move(
            uow.session,
            Movement(account.id, EntryKind.SPENT, -spending.minutes, spending.region_code,
                     spending.spent_on, caller.subject),
            service_kind=spending.service_kind.value, beneficiary=spending.beneficiary.value,
            person_id=str(spending.person_id) if spending.person_id else None,
        )  # fmt: skip
        event = new_event(
            HoursSpent(
                entry_id=UUID(entry.id), **_account_fields(account.id),
                minutes=spending.minutes, service_kind=spending.service_kind,
                beneficiary=spending.beneficiary, person_id=spending.person_id,
                spent_on=spending.spent_on, region_code=spending.region_code,
            ),
            subject=account.id, region_code=spending.region_code, producer=producer,
            actor=caller.subject,
        )  # fmt: skip
        await uow.emit(event)
        await uow.commit()
    return event


async def reverse(
    uow: UnitOfWork, producer: Producer, cipher: FieldCipher, caller: Caller, entry_id: UUID,
    reason: str, today: date,
) -> EventEnvelope:  # fmt: skip
    """Cancel a credit, confirmation or spending by an entry of the opposite sign."""
    async with uow:
        original = await uow.session.get(TimeBankEntry, str(entry_id))
        if original is None:
            raise NotFound(f"no time bank entry {entry_id} (无此记录)", field="entry_id")
        await _account_in_reach(uow, caller, original.account_id)
        if original.kind not in REVERSIBLE_KINDS:
            raise Invalid(
                f"a {original.kind} entry is not reversed; a donation is given back by "
                "donating (转赠不可冲正，请反向转赠)", field="entry_id",
            )  # fmt: skip
        # Under the account's lock, so that a concurrent reversal of the same entry is seen.
        await locked_account(uow.session, original.account_id)
        done = await uow.session.scalar(
            select(TimeBankEntry.id).where(TimeBankEntry.reverses_entry_id == original.id)
        )
        if done is not None:
            raise Refused(
                f"entry {entry_id} was already reversed by {done} (已冲正)", field="entry_id"
            )
        entry = await move(
            uow.session,
            Movement(original.account_id, EntryKind.REVERSAL, -original.minutes,
                     original.region_code, today, caller.subject),
            field="entry_id", reverses_entry_id=original.id,
            reason_sealed=cipher.encrypt(reason, REVERSAL_REASON_COLUMN),
        )  # fmt: skip
        event = new_event(
            HoursReversed(
                entry_id=UUID(entry.id), reversed_entry_id=entry_id,
                **_account_fields(original.account_id), minutes=entry.minutes,
                region_code=original.region_code,
            ),
            subject=original.account_id, region_code=original.region_code, producer=producer,
            actor=caller.subject,
        )  # fmt: skip
        await uow.emit(event)
        await uow.commit()
    return event


async def _account_in_reach(uow: UnitOfWork, caller: Caller, account_id: str) -> TimeBankAccount:
    account = await uow.session.get(TimeBankAccount, account_id)
    if account is None:
        raise NotFound(f"no time bank account {account_id} (无此账户)", field="account_id")
    if not caller.may_access(account.region_code):
        raise Forbidden(
            f"account {account_id} belongs to region {account.region_code}, outside your "
            f"region {caller.region} (不在您的辖区)", field="account_id",
        )  # fmt: skip
    return account
