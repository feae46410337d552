"""What is in stock, how it moved, and the figures of goods received and given."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from wushe.charity.adapters.goods_orm import GoodsMovementRecord, GoodsStockRecord
from wushe.charity.domain.goods_periods import Level, Period, region_at
from wushe.charity.service_layer.goods_movements import DISTRIBUTED, RECEIVED
from wushe.shared.regions import scope_prefix


async def stock_in(
    session: AsyncSession, region: str, *, include_empty: bool = False
) -> list[GoodsStockRecord]:
    """Stock items of the stations inside ``region``, by station, category and item."""
    query = select(GoodsStockRecord).where(
        GoodsStockRecord.station_region.startswith(scope_prefix(region))
    )
    if not include_empty:
        query = query.where(GoodsStockRecord.quantity > 0)
    query = query.order_by(
        GoodsStockRecord.station_region, GoodsStockRecord.category, GoodsStockRecord.description
    )
    return list(await session.scalars(query))


@dataclass(frozen=True)
class MovementRow:
    movement: GoodsMovementRecord
    stock: GoodsStockRecord
    reversed_by: str | None


async def movements(
    session: AsyncSession, *conditions: ColumnElement[bool], limit: int
) -> list[MovementRow]:
    """Movements meeting ``conditions``, newest first, each with its item and the
    movement that reversed it, if any."""
    reversal = aliased(GoodsMovementRecord)
    query = (
        select(GoodsMovementRecord, GoodsStockRecord, reversal.id)
        .join(GoodsStockRecord, GoodsStockRecord.id == GoodsMovementRecord.stock_id)
        .outerjoin(reversal, reversal.reverses_id == GoodsMovementRecord.id)
        .where(*conditions)
        .order_by(GoodsMovementRecord.recorded_at.desc(), GoodsMovementRecord.id.desc())
        .limit(limit)
    )
    rows = await session.execute(query)
    return [MovementRow(movement, stock, reversed_by) for movement, stock, reversed_by in rows]


@dataclass
class ItemFigures:
    category: str
    unit: str
    received_quantity: int = 0
    received_value_fen: int = 0
    given_quantity: int = 0
    given_value_fen: int = 0


@dataclass
class GoodsFigures:
    """One region's goods over a period; reversals count in the period they were made."""

    region_code: str
    receipts: int = 0
    received_value_fen: int = 0
    distributions: int = 0
    given_value_fen: int = 0
    persons_given_to: int = 0
    items: dict[tuple[str, str], ItemFigures] = field(default_factory=dict)

    def add(self, kind: str, reversal: bool, row: "ItemFigures", count: int) -> None:
        item = self.items.setdefault((row.category, row.unit), ItemFigures(row.category, row.unit))
        signed = -count if reversal else count
        if kind == RECEIVED:
            self.receipts += signed
            self.received_value_fen += row.received_value_fen
            item.received_quantity += row.received_quantity
            item.received_value_fen += row.received_value_fen
        else:
            self.distributions += signed
            self.given_value_fen += row.given_value_fen
            item.given_quantity += row.given_quantity
            item.given_value_fen += row.given_value_fen


async def goods_figures(
    session: AsyncSession, region: str, level: Level, period: Period
) -> tuple[list[GoodsFigures], GoodsFigures]:
    """Goods received and given in ``region`` over ``period``, one row per region at
    ``level`` with the total: counts of movements, quantities per item unit, value."""
    in_scope = and_(
        GoodsMovementRecord.station_region.startswith(scope_prefix(region)),
        GoodsMovementRecord.recorded_at >= period.since,
        GoodsMovementRecord.recorded_at < period.before,
    )
    grouped = await session.execute(
        select(
            GoodsMovementRecord.station_region,
            GoodsMovementRecord.kind,
            GoodsMovementRecord.reverses_id.is_not(None),
            GoodsStockRecord.category,
            GoodsStockRecord.unit,
            func.sum(GoodsMovementRecord.quantity_change),
            func.sum(GoodsMovementRecord.value_change_fen),
            func.count(),
        )
        .join(GoodsStockRecord, GoodsStockRecord.id == GoodsMovementRecord.stock_id)
        .where(in_scope)
        .group_by(
            GoodsMovementRecord.station_region,
            GoodsMovementRecord.kind,
            GoodsMovementRecord.reverses_id.is_not(None),
            GoodsStockRecord.category,
            GoodsStockRecord.unit,
        )
    )
    rows: dict[str, GoodsFigures] = {}
    total = GoodsFigures(region_code=region)
    for station, kind, reversal, category, unit, quantity, value, count in grouped:
        # Stock changes are signed: receipts add, distributions take away.
        quantity, value = int(quantity), int(value)
        change = ItemFigures(category, unit)
        if kind == RECEIVED:
            change.received_quantity, change.received_value_fen = quantity, value
        else:
            change.given_quantity, change.given_value_fen = -quantity, -value
        code = region_at(station, level)
        rows.setdefault(code, GoodsFigures(region_code=code)).add(kind, reversal, change, count)
        total.add(kind, reversal, change, count)
    await _count_persons(session, in_scope, level, rows, total)
    return [rows[code] for code in sorted(rows)], total


async def _count_persons(
    session: AsyncSession, in_scope: ColumnElement[bool], level: Level,
    rows: dict[str, GoodsFigures], total: GoodsFigures,
) -> None:  # fmt: skip
    """Persons given goods in the period whose distribution was not reversed."""
    reversal = aliased(GoodsMovementRecord)
    given = await session.execute(
        select(GoodsMovementRecord.station_region, GoodsMovementRecord.person_id)
        .outerjoin(reversal, reversal.reverses_id == GoodsMovementRecord.id)
        .where(
            in_scope,
            GoodsMovementRecord.kind == DISTRIBUTED,
            GoodsMovementRecord.reverses_id.is_(None),
            GoodsMovementRecord.person_id.is_not(None),
            reversal.id.is_(None),
        )
        .distinct()
    )
    persons: dict[str, set[str]] = defaultdict(set)
    everyone: set[str] = set()
    for station, person in given:
        persons[region_at(station, level)].add(person)
        everyone.add(person)
    for code, people in persons.items():
        rows.setdefault(code, GoodsFigures(region_code=code)).persons_given_to = len(people)
    total.persons_given_to = len(everyone)
