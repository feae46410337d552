"""Charity's HTTP API for needs and offers (点单/接单): stations post needs, organisations
post offers and take needs, matching suggests organisations, stations confirm."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.needs_orm import NeedRecord, NeedStepRecord, OfferRecord
from wushe.charity.domain.goods_periods import Level, Period, china_today
from wushe.charity.domain.needs_lifecycle import (
    NEED_STATUS_NAMES,
    NeedPosting,
    NeedStatus,
    StepNote,
    StepReason,
    is_overdue,
)
from wushe.charity.domain.offers_matching import OfferPosting, OfferStanding
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.needs_commands import (
    NOTE_COLUMN,
    cancel_need,
    confirm_need,
    fulfil_need,
    post_need,
    reject_fulfilment,
    take_need,
)
from wushe.charity.service_layer.needs_reads import (
    NeedFigures,
    need_figures,
    needs_in,
    overdue_condition,
    steps_of,
    suggestions_for,
)
from wushe.charity.service_layer.offers_commands import post_offer, withdraw_offer
from wushe.charity.service_layer.offers_standing import in_force, offers_standing
from wushe.shared.auth import Caller, CurrentCaller, Role, require_region, require_role
from wushe.shared.events.needs import NEED_KIND_NAMES, NeedKind
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import RecordedRegionCode, covers
from wushe.shared.telemetry import current_trace_id

router = APIRouter(tags=["needs"], route_class=RefusalRoute)

STATION = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)
READERS = (*STATION, Role.AUDITOR, Role.PARTNER)
MonthParam = Annotated[
    str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="A month: 2026-11")
]


class StepView(BaseModel):
    step: str = Field(examples=["posted", "taken", "fulfilled", "fulfilment_rejected"])
    status: str
    partner_id: str | None
    actor: str
    occurred_at: datetime
    note: str | None = Field(None, description="Shown to the station and the taker only")


class NeedView(BaseModel):
    need_id: UUID
    kind: str
    kind_name: str
    quantity: int
    unit: str | None
    summary: str
    region_code: str
    person_id: UUID | None
    deadline: date
    status: str
    status_name: str
    overdue: bool = Field(description="Untaken past its deadline (逾期未接单)")
    posted_by: str
    posted_at: datetime
    taken_by: str | None
    offer_id: UUID | None
    taken_at: datetime | None
    fulfilled_at: datetime | None
    closed_at: datetime | None
    steps: list[StepView] = Field(default_factory=list, description="Listed needs omit them")
    trace_id: str | None = None


class OfferView(BaseModel):
    offer_id: UUID
    partner_id: str
    kinds: list[str]
    kind_names: list[str]
    regions: list[str]
    capacity: int
    capacity_left: int
    confirmed_needs: int
    summary: str
    posted_at: datetime
    withdrawn_at: datetime | None


class SuggestionView(BaseModel):
    rank: int
    offer_id: UUID
    partner_id: str
    covering_region: str
    capacity: int
    capacity_left: int
    confirmed_needs: int
    reasons: list[str]


@router.post("/offers", status_code=status.HTTP_201_CREATED, response_model=OfferView)
async def create_offer(
    posting: OfferPosting, caller: CurrentCaller, runtime: RuntimeDep
) -> OfferView:
    """An organisation (a partner token; its subject is the partner id) posts what it can
    provide (供给清单); emits `offer.posted`."""
    require_role(caller, Role.PARTNER)
    offer = await post_offer(
        runtime.unit_of_work(), posting, caller=caller, producer=runtime.producer
    )
    async with runtime.sessions() as session:
        [standing] = await offers_standing(session, OfferRecord.id == offer.id)
    return _offer_view(standing)


@router.get("/offers", response_model=list[OfferView])
async def list_offers(caller: CurrentCaller, runtime: RuntimeDep) -> list[OfferView]:
    """An organisation's own offers; for a station, the offers that serve its region or
    part of it."""
    require_role(caller, *READERS)
    async with runtime.sessions() as session:
        if caller.role == Role.PARTNER:
            offers = await offers_standing(session, OfferRecord.partner_id == caller.subject)
        else:
            offers = [
                offer for offer in await offers_standing(session, in_force())
                if any(covers(r, caller.region) or covers(caller.region, r) for r in offer.regions)
            ]  # fmt: skip
    return [_offer_view(offer) for offer in offers]


@router.post("/offers/{offer_id}/withdrawal", response_model=OfferView)
async def withdraw(offer_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> OfferView:
    """The organisation withdraws its offer (撤回供给): it is no longer suggested and no new
    need counts against it; emits `offer.withdrawn`."""
    require_role(caller, Role.PARTNER)
    await withdraw_offer(runtime.unit_of_work(), offer_id, caller=caller, producer=runtime.producer)
    async with runtime.sessions() as session:
        [standing] = await offers_standing(session, OfferRecord.id == str(offer_id))
    return _offer_view(standing)


@router.post("/needs", status_code=status.HTTP_201_CREATED, response_model=NeedView)
async def create_need(posting: NeedPosting, caller: CurrentCaller, runtime: RuntimeDep) -> NeedView:
    """A station posts a need (点单) for a person's file or the community; emits
    `need.posted`."""
    require_role(caller, *STATION)
    need = await post_need(
        runtime.unit_of_work(), posting, caller=caller, today=china_today(),
        producer=runtime.producer,
    )  # fmt: skip
    return await _need_with_steps(need, caller, runtime)


@router.get("/needs", response_model=list[NeedView])
async def list_needs(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region: RecordedRegionCode | None = Query(None, description="Default: the caller's region"),
    need_status: Annotated[NeedStatus | None, Query(alias="status")] = None,
    kind: NeedKind | None = None,
    overdue: bool = Query(False, description="Only needs untaken past their deadline"),
    taken_by_me: bool = Query(False, description="An organisation's own needs"),
    limit: int = Query(200, ge=1, le=1000),
) -> list[NeedView]:
    """Needs within the region, nearest deadline first."""
    require_role(caller, *READERS)
    region = region or caller.region
    require_region(caller, region, field="region")
    conditions = []
    if need_status is not None:
        conditions.append(NeedRecord.status == need_status.value)
    if kind is not None:
        conditions.append(NeedRecord.kind == kind.value)
    if overdue:
        conditions.append(overdue_condition(china_today()))
    if taken_by_me:
        conditions.append(NeedRecord.taken_by == caller.subject)
    async with runtime.sessions() as session:
        needs = await needs_in(session, region, *conditions, limit=limit)
    today = china_today()
    return [_need_view(need, [], caller, runtime, today) for need in needs]


class NeedFiguresRow(BaseModel):
    region_code: str
    posted: int
    taken: int
    fulfilled: int
    confirmed: int
    cancelled: int
    organisations_engaged: int = Field(description="Organisations that took, fulfilled or "
                                       "had confirmed a need in the period")  # fmt: skip

    @classmethod
    def of(cls, figures: NeedFigures) -> "NeedFiguresRow":
        return cls(
            region_code=figures.region_code, posted=figures.posted, taken=figures.taken,
            fulfilled=figures.fulfilled, confirmed=figures.confirmed,
            cancelled=figures.cancelled, organisations_engaged=figures.organisations_engaged,
        )  # fmt: skip


class NeedFiguresReport(BaseModel):
    region: str
    by: Level
    start: date
    end: date
    rows: list[NeedFiguresRow]
    total: NeedFiguresRow


@router.get("/needs/figures", response_model=NeedFiguresReport)
async def figures(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region: RecordedRegionCode | None = Query(None, description="Default: the caller's region"),
    by: Level = Query("station", description="One row per region at this level"),
    month: MonthParam = None,
    start: date | None = None,
    end: date | None = None,
) -> NeedFiguresReport:
    """Needs posted, taken, fulfilled, confirmed and cancelled, and organisations engaged
    (对接社会组织), by region and period: each step counts in the period it happened."""
    require_role(caller, *STATION, Role.AUDITOR)
    region = region or caller.region
    require_region(caller, region, field="region")
    period = Period.of(month, start, end)
    async with runtime.snapshot() as session:
        rows, total = await need_figures(session, region, by, period)
    return NeedFiguresReport(
        region=region, by=by, start=period.start, end=period.end,
        rows=[NeedFiguresRow.of(row) for row in rows], total=NeedFiguresRow.of(total),
    )  # fmt: skip


@router.get("/needs/{need_id}", response_model=NeedView)
async def get_need(need_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> NeedView:
    """A need with every step of its history."""
    require_role(caller, *READERS)
    async with runtime.snapshot() as session:
        need = await _visible_need(session, need_id, caller)
        steps = await steps_of(session, need.id)
    return _need_view(need, steps, caller, runtime, china_today())


@router.get("/needs/{need_id}/suggestions", response_model=list[SuggestionView])
async def suggestions(
    need_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[SuggestionView]:
    """Organisations to ask for this need: their offer provides its kind, covers its
    region and has capacity left; closest, freest and most often confirmed first."""
    require_role(caller, *STATION)
    async with runtime.snapshot() as session:
        need = await _visible_need(session, need_id, caller)
        ranked = await suggestions_for(session, need)
    return [
        SuggestionView(
            rank=s.rank, offer_id=UUID(s.offer.offer_id), partner_id=s.offer.partner_id,
            covering_region=s.covering_region, capacity=s.offer.capacity,
            capacity_left=s.offer.capacity_left, confirmed_needs=s.offer.confirmed_needs,
            reasons=s.reasons,
        )
        for s in ranked
    ]  # fmt: skip


@router.post("/needs/{need_id}/take", response_model=NeedView)
async def take(need_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> NeedView:
    """An organisation takes the need (接单); only one can. Emits `need.taken`."""
    require_role(caller, Role.PARTNER)
    need = await take_need(
        runtime.unit_of_work(), need_id, caller=caller, producer=runtime.producer
    )
    return await _need_with_steps(need, caller, runtime)


@router.post("/needs/{need_id}/fulfilment", response_model=NeedView)
async def fulfil(
    need_id: UUID, body: StepNote, caller: CurrentCaller, runtime: RuntimeDep
) -> NeedView:
    """The organisation that took the need reports it done; emits `need.fulfilled`."""
    require_role(caller, Role.PARTNER)
    need = await fulfil_need(
        runtime.unit_of_work(), need_id, body.note, caller=caller,
        cipher=runtime.settings.field_cipher(), producer=runtime.producer,
    )  # fmt: skip
    return await _need_with_steps(need, caller, runtime)


@router.post("/needs/{need_id}/confirmation", response_model=NeedView)
async def confirm(need_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> NeedView:
    """The station confirms the need was met; emits `need.confirmed`."""
    require_role(caller, *STATION)
    need = await confirm_need(
        runtime.unit_of_work(), need_id, caller=caller, producer=runtime.producer
    )
    return await _need_with_steps(need, caller, runtime)


@router.post("/needs/{need_id}/fulfilment-rejection", response_model=NeedView)
async def reject(
    need_id: UUID, body: StepReason, caller: CurrentCaller, runtime: RuntimeDep
) -> NeedView:
    """The station finds the fulfilment wanting and says why; the need goes back to the
    organisation. Emits `need.fulfilment_rejected`."""
    require_role(caller, *STATION)
    need = await reject_fulfilment(
        runtime.unit_of_work(), need_id, body.reason, caller=caller,
        cipher=runtime.settings.field_cipher(), producer=runtime.producer,
    )  # fmt: skip
    return await _need_with_steps(need, caller, runtime)


@router.post("/needs/{need_id}/cancellation", response_model=NeedView)
async def cancel(
    need_id: UUID, body: StepReason, caller: CurrentCaller, runtime: RuntimeDep
) -> NeedView:
    """The station withdraws a need not yet fulfilled; emits `need.cancelled`."""
    require_role(caller, *STATION)
    need = await cancel_need(
        runtime.unit_of_work(), need_id, body.reason, caller=caller,
        cipher=runtime.settings.field_cipher(), producer=runtime.producer,
    )  # fmt: skip
    return await _need_with_steps(need, caller, runtime)


async def _visible_need(session: AsyncSession, need_id: UUID, caller: Caller) -> NeedRecord:
    need = await session.get(NeedRecord, str(need_id))
    if need is None or not caller.may_access(need.region_code):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail={"field": "need_id", "message": f"no need {need_id} in your region (无此需求)"},
        )
    return need


async def _need_with_steps(need: NeedRecord, caller: Caller, runtime: RuntimeDep) -> NeedView:
    async with runtime.sessions() as session:
        steps = await steps_of(session, need.id)
    view = _need_view(need, steps, caller, runtime, china_today())
    return view.model_copy(update={"trace_id": current_trace_id()})


def _need_view(
    need: NeedRecord, steps: list[NeedStepRecord], caller: Caller, runtime: RuntimeDep,
    today: date,
) -> NeedView:  # fmt: skip
    may_read_notes = caller.role in STATION or (
        caller.role == Role.PARTNER and caller.subject == need.taken_by
    )
    cipher = runtime.settings.field_cipher()
    return NeedView(
        need_id=UUID(need.id), kind=need.kind, kind_name=NEED_KIND_NAMES[need.kind],
        quantity=need.quantity, unit=need.unit, summary=need.summary,
        region_code=need.region_code,
        person_id=None if need.person_id is None else UUID(need.person_id),
        deadline=need.deadline, status=need.status, status_name=NEED_STATUS_NAMES[need.status],
        overdue=is_overdue(NeedStatus(need.status), need.deadline, today),
        posted_by=need.posted_by, posted_at=need.posted_at, taken_by=need.taken_by,
        offer_id=None if need.offer_id is None else UUID(need.offer_id),
        taken_at=need.taken_at, fulfilled_at=need.fulfilled_at, closed_at=need.closed_at,
        steps=[
            StepView(
                step=step.step, status=step.status, partner_id=step.partner_id,
                actor=step.actor, occurred_at=step.occurred_at,
                note=(
                    cipher.decrypt(step.note_sealed, column=NOTE_COLUMN)
                    if may_read_notes and step.note_sealed
                    else None
                ),
            )
            for step in steps
        ],
    )  # fmt: skip


def _offer_view(offer: OfferStanding) -> OfferView:
    return OfferView(
        offer_id=UUID(offer.offer_id), partner_id=offer.partner_id, kinds=offer.kinds,
        kind_names=[NEED_KIND_NAMES[kind] for kind in offer.kinds], regions=offer.regions,
        capacity=offer.capacity, capacity_left=offer.capacity_left,
        confirmed_needs=offer.confirmed_needs, summary=offer.summary, posted_at=offer.posted_at,
        withdrawn_at=offer.withdrawn_at,
    )  # fmt: skip
