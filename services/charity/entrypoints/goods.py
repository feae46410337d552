"""Charity's HTTP API for goods in kind (物资): receipts, distributions, corrections,
stock, movements and figures."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from wushe.charity.adapters.goods_orm import GoodsMovementRecord, GoodsStockRecord
from wushe.charity.domain.goods_periods import Level, Period
from wushe.charity.domain.goods_stock import GoodsDistribution, GoodsReceipt, MovementReversal
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.goods_movements import (
    DONOR_COLUMN,
    REASON_COLUMN,
    Moved,
    distribute_goods,
    receive_goods,
    reverse_movement,
)
from wushe.charity.service_layer.goods_reads import (
    GoodsFigures,
    MovementRow,
    goods_figures,
    movements,
    stock_in,
)
from wushe.shared.auth import Caller, CurrentCaller, Role, require_region, require_role
from wushe.shared.events.goods import GOODS_CATEGORY_NAMES
from wushe.shared.http import RuntimeDep
from wushe.shared.regions import RecordedRegionCode, scope_prefix
from wushe.shared.telemetry import current_trace_id

router = APIRouter(prefix="/goods", tags=["goods"], route_class=RefusalRoute)

KEEPERS = (Role.ADMIN, Role.STATION_STAFF)
GIVERS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)
READERS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER, Role.AUDITOR)
MonthParam = Annotated[
    str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="A month: 2026-11")
]


class StockView(BaseModel):
    stock_id: UUID
    station_region: str
    category: str
    category_name: str
    description: str
    unit: str
    quantity: int
    value_fen: int

    @classmethod
    def of(cls, stock: GoodsStockRecord) -> "StockView":
        return cls(
            stock_id=UUID(stock.id), station_region=stock.station_region,
            category=stock.category, category_name=GOODS_CATEGORY_NAMES[stock.category],
            description=stock.description, unit=stock.unit, quantity=stock.quantity,
            value_fen=stock.value_fen,
        )  # fmt: skip


class MovementView(BaseModel):
    movement_id: UUID
    kind: str = Field(examples=["received", "distributed"])
    stock: StockView = Field(description="The item, with its stock as it stands now")
    quantity_change: int = Field(description="Signed: receipts add, distributions take away")
    value_change_fen: int
    donor_name: str | None = Field(None, description="Shown to station staff only")
    person_id: UUID | None
    activity_id: UUID | None
    recipient_region: str | None
    reverses_movement_id: UUID | None
    reversed_by_movement_id: UUID | None = None
    reason: str | None = Field(None, description="Why a reversal was made; station staff only")
    recorded_by: str
    recorded_at: datetime
    trace_id: str | None = None


@router.post("/receipts", status_code=status.HTTP_201_CREATED, response_model=MovementView)
async def receive(
    receipt: GoodsReceipt, caller: CurrentCaller, runtime: RuntimeDep
) -> MovementView:
    """Goods received at a station (入库); emits `goods.received`."""
    require_role(caller, *KEEPERS)
    cipher = runtime.settings.field_cipher()
    moved = await receive_goods(
        runtime.unit_of_work(), receipt, caller=caller, cipher=cipher,
        producer=runtime.producer,
    )  # fmt: skip
    return _moved_view(moved, caller, runtime)


@router.post("/distributions", status_code=status.HTTP_201_CREATED, response_model=MovementView)
async def distribute(
    distribution: GoodsDistribution, caller: CurrentCaller, runtime: RuntimeDep
) -> MovementView:
    """Goods given out of stock (出库) to a person's file or an activity; emits
    `goods.distributed`. Refused (409, field quantity) when the stock does not hold them."""
    require_role(caller, *GIVERS)
    moved = await distribute_goods(
        runtime.unit_of_work(), distribution, caller=caller, producer=runtime.producer
    )
    return _moved_view(moved, caller, runtime)


@router.post(
    "/movements/{movement_id}/reversal",
    status_code=status.HTTP_201_CREATED,
    response_model=MovementView,
)
async def reverse(
    movement_id: UUID, reversal: MovementReversal, caller: CurrentCaller, runtime: RuntimeDep
) -> MovementView:
    """Correct a receipt or distribution entered in error with an opposite movement (冲正);
    emits `goods.movement_reversed`."""
    require_role(caller, *KEEPERS)
    cipher = runtime.settings.field_cipher()
    moved = await reverse_movement(
        runtime.unit_of_work(), movement_id, reversal, caller=caller, cipher=cipher,
        producer=runtime.producer,
    )  # fmt: skip
    return _moved_view(moved, caller, runtime)


@router.get("/stock", response_model=list[StockView])
async def list_stock(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region: RecordedRegionCode | None = Query(None, description="Default: the caller's region"),
    include_empty: bool = False,
) -> list[StockView]:
    """Stock per station and item within the region, by station, category and item."""
    require_role(caller, *READERS)
    region = region or caller.region
    require_region(caller, region, field="region")
    async with runtime.sessions() as session:
        items = await stock_in(session, region, include_empty=include_empty)
    return [StockView.of(stock) for stock in items]


@router.get("/movements", response_model=list[MovementView])
async def list_movements(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    stock_id: UUID | None = None,
    person_id: UUID | None = None,
    region: RecordedRegionCode | None = Query(None, description="Default: the caller's region"),
    limit: int = Query(200, ge=1, le=1000),
) -> list[MovementView]:
    """Movements of goods within the region, newest first: of one item, or given to one
    person's file, or all."""
    require_role(caller, *READERS)
    region = region or caller.region
    require_region(caller, region, field="region")
    conditions = [GoodsMovementRecord.station_region.startswith(scope_prefix(region))]
    if stock_id is not None:
        conditions.append(GoodsMovementRecord.stock_id == str(stock_id))
    if person_id is not None:
        conditions.append(GoodsMovementRecord.person_id == str(person_id))
    async with runtime.sessions() as session:
        rows = await movements(session, *conditions, limit=limit)
    return [_movement_view(row, caller, runtime) for row in rows]


class ItemFiguresView(BaseModel):
    category: str
    category_name: str
    unit: str
    received_quantity: int
    received_value_fen: int
    given_quantity: int
    given_value_fen: int


class GoodsFiguresRow(BaseModel):
    region_code: str
    receipts: int = Field(description="Receipts entered, less those reversed")
    received_value_fen: int
    distributions: int = Field(description="Distributions entered, less those reversed")
    given_value_fen: int
    persons_given_to: int
    items: list[ItemFiguresView]

    @classmethod
    def of(cls, figures: GoodsFigures) -> "GoodsFiguresRow":
        return cls(
            region_code=figures.region_code, receipts=figures.receipts,
            received_value_fen=figures.received_value_fen, distributions=figures.distributions,
            given_value_fen=figures.given_value_fen, persons_given_to=figures.persons_given_to,
            items=[
                ItemFiguresView(category_name=GOODS_CATEGORY_NAMES[item.category], **vars(item))
                for _, item in sorted(figures.items.items())
            ],
        )  # fmt: skip


class GoodsFiguresReport(BaseModel):
    region: str
    by: Level
    start: date
    end: date
    rows: list[GoodsFiguresRow]
    total: GoodsFiguresRow


@router.get("/figures", response_model=GoodsFiguresReport)
async def figures(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region: RecordedRegionCode | None = Query(None, description="Default: the caller's region"),
    by: Level = Query("station", description="One row per region at this level"),
    month: MonthParam = None,
    start: date | None = None,
    end: date | None = None,
) -> GoodsFiguresReport:
    """Goods received and given (物资接收与发放): counts, quantities and value by region
    and period; corrections count in the period they were made."""
    require_role(caller, *READERS)
    region = region or caller.region
    require_region(caller, region, field="region")
    period = Period.of(month, start, end)
    async with runtime.snapshot() as session:
        rows, total = await goods_figures(session, region, by, period)
    return GoodsFiguresReport(
        region=region, by=by, start=period.start, end=period.end,
        rows=[GoodsFiguresRow.of(row) for row in rows], total=GoodsFiguresRow.of(total),
    )  # fmt: skip


def _moved_view(moved: Moved, caller: Caller, runtime: RuntimeDep) -> MovementView:
    view = _movement_view(MovementRow(moved.movement, moved.stock, None), caller, runtime)
    return view.model_copy(update={"trace_id": current_trace_id()})


def _movement_view(row: MovementRow, caller: Caller, runtime: RuntimeDep) -> MovementView:
    movement = row.movement
    may_read_sealed = caller.role in KEEPERS
    cipher = runtime.settings.field_cipher()
    return MovementView(
        movement_id=UUID(movement.id),
        kind=movement.kind,
        stock=StockView.of(row.stock),
        quantity_change=movement.quantity_change,
        value_change_fen=movement.value_change_fen,
        donor_name=(
            cipher.decrypt(movement.donor_sealed, column=DONOR_COLUMN)
            if may_read_sealed and movement.donor_sealed
            else None
        ),
        person_id=movement.person_id,
        activity_id=movement.activity_id,
        recipient_region=movement.recipient_region,
        reverses_movement_id=movement.reverses_id,
        reversed_by_movement_id=row.reversed_by,
        reason=(
            cipher.decrypt(movement.reason_sealed, column=REASON_COLUMN)
            if may_read_sealed and movement.reason_sealed
            else None
        ),
        recorded_by=movement.recorded_by,
        recorded_at=movement.recorded_at,
    )
