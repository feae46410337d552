"""Charity's HTTP API for the volunteers' time bank (时间银行)."""

from datetime import UTC, date, datetime
from typing import Self
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from wushe.charity.adapters.time_bank_orm import TimeBankEntry, TimeBankLog
from wushe.charity.domain.time_bank import MINUTES_PER_DAY, LogStatus
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.time_bank_logs import (
    PLACE_COLUMN,
    REASON_COLUMN,
    WHAT_COLUMN,
    NewLog,
    confirm_log,
    log_hours,
    logs_within,
    reject_log,
)
from wushe.charity.service_layer.time_bank_reads import (
    balance_differences,
    balance_of,
    history_of,
    hours_by_region,
    volunteers_earning,
)
from wushe.charity.service_layer.time_bank_transfers import (
    REVERSAL_REASON_COLUMN,
    Donation,
    Spending,
    donate,
    reverse,
    spend,
)
from wushe.shared.auth import Caller, CurrentCaller, Role, require_region, require_role
from wushe.shared.events.time_bank import Beneficiary
from wushe.shared.events.visits import ServiceKind
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import RegionCode, scope_prefix
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/time-bank", tags=["time-bank"], route_class=RefusalRoute)

STATION = (Role.ADMIN, Role.STATION_STAFF)
READERS = (Role.ADMIN, Role.STATION_STAFF, Role.AUDITOR)
CHINA = ZoneInfo("Asia/Shanghai")
Minutes = Field(ge=1, le=MINUTES_PER_DAY, description="Whole minutes (1 to 1440)")


def today_in_china() -> date:
    return datetime.now(UTC).astimezone(CHINA).date()


class LogBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    what: str = Field(min_length=1, max_length=200, description="What was done; stored sealed")
    place: str = Field(min_length=1, max_length=200, description="Where; stored sealed")
    served_on: date = Field(description="Day of the work; not in the future")
    minutes: int = Minutes
    region_code: RegionCode | None = Field(
        None, description="The station that confirms them; default: the volunteer's region"
    )


class LogView(BaseModel):
    log_id: UUID
    volunteer_id: str
    region_code: str
    served_on: date
    minutes: int
    what: str
    place: str
    status: str
    logged_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    entry_id: UUID | None

    @classmethod
    def of(cls, row: TimeBankLog, cipher: FieldCipher) -> "LogView":
        reason = cipher.decrypt(row.reason_sealed, REASON_COLUMN) if row.reason_sealed else None
        return cls(
            log_id=UUID(row.id), volunteer_id=row.volunteer_id, region_code=row.region_code,
            served_on=row.served_on, minutes=row.minutes,
            what=cipher.decrypt(row.what_sealed, WHAT_COLUMN),
            place=cipher.decrypt(row.place_sealed, PLACE_COLUMN), status=row.status,
            logged_at=row.logged_at, decided_by=row.decided_by, decided_at=row.decided_at,
            reason=reason, entry_id=UUID(row.entry_id) if row.entry_id else None,
        )  # fmt: skip


class RejectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="Why; the volunteer reads it")


class DonationBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: int = Field(ge=1, description="Whole minutes to give")
    to_volunteer_id: str | None = Field(None, min_length=1, max_length=100)
    to_pool_region: RegionCode | None = Field(
        None, description="Give to this community's pool, spent on people in need"
    )

    @model_validator(mode="after")
    def one_receiver(self) -> Self:
        if (self.to_volunteer_id is None) == (self.to_pool_region is None):
            raise ValueError("name exactly one of to_volunteer_id and to_pool_region")
        return self


class SpendingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: int = Field(ge=1, description="Whole minutes the service costs")
    service_kind: ServiceKind
    beneficiary: Beneficiary
    person_id: UUID | None = Field(None, description="The person in need served")
    spent_on: date = Field(description="Day of the service; not in the future")
    region_code: RegionCode | None = Field(
        None, description="Where the service was given; default: the station's region"
    )


class ReversalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class EntryView(BaseModel):
    entry_id: UUID
    account_id: str
    kind: str
    minutes: int = Field(description="Signed: plus for hours in, minus for hours out")
    balance_after: int
    region_code: str
    occurred_on: date
    recorded_at: datetime
    recorded_by: str | None
    defaulted: bool = Field(description="Credited the default: the ledger gave no duration")
    source_event_id: UUID | None
    log_id: UUID | None
    transfer_id: UUID | None
    counterpart_account_id: str | None
    reverses_entry_id: UUID | None
    service_kind: str | None
    beneficiary: str | None
    person_id: UUID | None
    reason: str | None

    @classmethod
    def of(cls, row: TimeBankEntry, cipher: FieldCipher | None) -> "EntryView":
        def uuid(value: str | None) -> UUID | None:
            return UUID(value) if value else None

        reason = (
            cipher.decrypt(row.reason_sealed, REVERSAL_REASON_COLUMN)
            if cipher and row.reason_sealed
            else None
        )
        return cls(
            entry_id=UUID(row.id), account_id=row.account_id, kind=row.kind, minutes=row.minutes,
            balance_after=row.balance_after, region_code=row.region_code,
            occurred_on=row.occurred_on, recorded_at=row.recorded_at,
            recorded_by=row.recorded_by, defaulted=row.defaulted,
            source_event_id=uuid(row.source_event_id), log_id=uuid(row.log_id),
            transfer_id=uuid(row.transfer_id), counterpart_account_id=row.counterpart_account_id,
            reverses_entry_id=uuid(row.reverses_entry_id), service_kind=row.service_kind,
            beneficiary=row.beneficiary, person_id=uuid(row.person_id), reason=reason,
        )  # fmt: skip


class BalanceView(BaseModel):
    account_id: str
    holder_kind: str
    region_code: str | None
    balance_minutes: int = Field(description="Kept with every movement")
    entries: int
    balance_checked: bool = Field(description="The balance equals the sum of the entries")


class Recorded(BaseModel):
    event_id: UUID
    entry_id: UUID | None = None
    transfer_id: UUID | None = None
    trace_id: str | None = Field(default_factory=current_trace_id)


class RegionHoursView(BaseModel):
    region_code: str
    volunteers: int = Field(description="Volunteers who earned hours here in the period")
    earned_minutes: int
    spent_minutes: int
    donated_minutes: int


class HoursFigures(BaseModel):
    region: str
    start: date
    end: date
    volunteers: int = Field(description="Volunteers who earned hours in the period")
    earned_minutes: int
    spent_minutes: int
    donated_minutes: int
    regions: list[RegionHoursView]


class BalanceDifference(BaseModel):
    account_id: str
    cached_minutes: int
    derived_minutes: int


@router.post("/logs", status_code=status.HTTP_201_CREATED, response_model=LogView)
async def post_log(body: LogBody, caller: CurrentCaller, runtime: RuntimeDep) -> LogView:
    """A volunteer logs hours of their own; they count once the station confirms them."""
    require_role(caller, Role.VOLUNTEER)
    cipher = runtime.settings.field_cipher()
    new = NewLog(
        **body.model_dump(exclude={"region_code"}), region_code=body.region_code or caller.region
    )
    row = await log_hours(
        runtime.unit_of_work(), runtime.producer, cipher, caller, new, today_in_china()
    )
    return LogView.of(row, cipher)


@router.get("/logs", response_model=list[LogView])
async def get_logs(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    status_: LogStatus | None = Query(None, alias="status"),
) -> list[LogView]:
    """A volunteer's own logs, or the logs a station has to decide within its region."""
    volunteer = caller.subject if caller.role is Role.VOLUNTEER else None
    if volunteer is None:
        require_role(caller, *READERS)
    rows = await logs_within(
        runtime.unit_of_work(), scope_prefix(caller.region), status_, volunteer
    )
    cipher = runtime.settings.field_cipher()
    return [LogView.of(row, cipher) for row in rows]


@router.post("/logs/{log_id}/confirmation", response_model=LogView)
async def confirm(log_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> LogView:
    """The station confirms logged hours: they are credited (``hours.confirmed``)."""
    require_role(caller, *STATION)
    row, _ = await confirm_log(runtime.unit_of_work(), runtime.producer, caller, log_id)
    return LogView.of(row, runtime.settings.field_cipher())


@router.post("/logs/{log_id}/rejection", response_model=LogView)
async def reject(
    log_id: UUID, body: RejectionBody, caller: CurrentCaller, runtime: RuntimeDep
) -> LogView:
    """The station rejects logged hours with a reason (``hours.rejected``)."""
    require_role(caller, *STATION)
    cipher = runtime.settings.field_cipher()
    row = await reject_log(
        runtime.unit_of_work(), runtime.producer, cipher, caller, log_id, body.reason
    )
    return LogView.of(row, cipher)


@router.post("/donations", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_donation(body: DonationBody, caller: CurrentCaller, runtime: RuntimeDep) -> Recorded:
    """A volunteer gives minutes to another volunteer or to a community's pool."""
    require_role(caller, Role.VOLUNTEER)
    event = await donate(
        runtime.unit_of_work(), runtime.producer, caller,
        Donation(body.minutes, body.to_volunteer_id, body.to_pool_region), today_in_china(),
    )  # fmt: skip
    return Recorded(event_id=event.id, transfer_id=event.payload["transfer_id"])


@router.post(
    "/accounts/{account_id}/spendings", status_code=status.HTTP_201_CREATED,
    response_model=Recorded,
)  # fmt: skip
async def post_spending(
    account_id: str, body: SpendingBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """The station records a service paid for with a volunteer's (or a pool's, id
    ``pool:<region>``) minutes, for the volunteer, their family or a person in need."""
    require_role(caller, *STATION)
    spending = Spending(
        account_id, body.minutes, body.service_kind, body.beneficiary, body.person_id,
        body.spent_on, body.region_code or caller.region,
    )  # fmt: skip
    event = await spend(
        runtime.unit_of_work(), runtime.producer, caller, spending, today_in_china()
    )
    return Recorded(event_id=event.id, entry_id=event.payload["entry_id"])


@router.post("/entries/{entry_id}/reversal", status_code=status.HTTP_201_CREATED,
             response_model=Recorded)  # fmt: skip
async def post_reversal(
    entry_id: UUID, body: ReversalBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Correct a credit, confirmation or spending by an entry that cancels it."""
    require_role(caller, *STATION)
    event = await reverse(
        runtime.unit_of_work(), runtime.producer, runtime.settings.field_cipher(), caller,
        entry_id, body.reason, today_in_china(),
    )  # fmt: skip
    return Recorded(event_id=event.id, entry_id=event.payload["entry_id"])


def _may_read(caller: Caller, account_id: str) -> None:
    if caller.role is Role.VOLUNTEER:
        if account_id != caller.subject:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail={"field": "account_id", "message": "a volunteer reads their own account"},
            )
        return
    require_role(caller, *READERS)


@router.get("/me", response_model=BalanceView)
async def get_my_balance(caller: CurrentCaller, runtime: RuntimeDep) -> BalanceView:
    """The calling volunteer's balance (zero before their first hours)."""
    require_role(caller, Role.VOLUNTEER)
    return await get_balance(caller.subject, caller, runtime)


@router.get("/accounts/{account_id}", response_model=BalanceView)
async def get_balance(account_id: str, caller: CurrentCaller, runtime: RuntimeDep) -> BalanceView:
    """An account's balance, checked against the sum of its entries."""
    _may_read(caller, account_id)
    async with runtime.snapshot() as session:
        balance = await balance_of(session, account_id)
    if balance is None:
        if caller.role is Role.VOLUNTEER:
            return BalanceView(
                account_id=account_id, holder_kind="volunteer", region_code=None,
                balance_minutes=0, entries=0, balance_checked=True,
            )  # fmt: skip
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail={"field": "account_id", "message": f"no time bank account {account_id}"},
        )
    require_region(caller, balance.account.region_code)
    return BalanceView(
        account_id=account_id, holder_kind=balance.account.holder_kind,
        region_code=balance.account.region_code,
        balance_minutes=balance.account.balance_minutes, entries=balance.entries,
        balance_checked=balance.account.balance_minutes == balance.derived_minutes,
    )  # fmt: skip


@router.get("/accounts/{account_id}/entries", response_model=list[EntryView])
async def get_history(
    account_id: str,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[EntryView]:
    """Every movement on the account, oldest first."""
    _may_read(caller, account_id)
    async with runtime.snapshot() as session:
        balance = await balance_of(session, account_id)
        if balance is None:
            return []
        require_region(caller, balance.account.region_code)
        rows = await history_of(session, account_id, limit=limit, offset=offset)
    # Reversal reasons are the station's notes: shown to the station, not to volunteers.
    cipher = None if caller.role is Role.VOLUNTEER else runtime.settings.field_cipher()
    return [EntryView.of(row, cipher) for row in rows]


@router.get("/figures", response_model=HoursFigures)
async def get_figures(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    start: date,
    end: date,
    region: RegionCode | None = Query(None, description="Default: the caller's region"),
) -> HoursFigures:
    """Volunteers and their hours (志愿者及服务时长) by region over a period."""
    require_role(caller, *READERS)
    region = region or caller.region
    require_region(caller, region, field="region")
    if end < start:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            detail={"field": "end", "message": f"end {end} is before start {start}"},
        )
    async with runtime.snapshot() as session:
        rows = await hours_by_region(session, scope_prefix(region), start, end)
        volunteers = await volunteers_earning(session, scope_prefix(region), start, end)
    views = [RegionHoursView(**row.__dict__) for row in rows]
    return HoursFigures(
        region=region, start=start, end=end,
        volunteers=volunteers,
        earned_minutes=sum(row.earned_minutes for row in rows),
        spent_minutes=sum(row.spent_minutes for row in rows),
        donated_minutes=sum(row.donated_minutes for row in rows),
        regions=views,
    )  # fmt: skip


@router.get("/balance-check", response_model=list[BalanceDifference])
async def get_balance_check(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region: RegionCode | None = Query(None, description="Default: the caller's region"),
) -> list[BalanceDifference]:
    """Accounts whose kept balance differs from the sum of their entries: none, normally."""
    require_role(caller, Role.ADMIN, Role.AUDITOR)
    region = region or caller.region
    require_region(caller, region, field="region")
    async with runtime.snapshot() as session:
        rows = await balance_differences(session, scope_prefix(region))
    return [BalanceDifference(**row.__dict__) for row in rows]
