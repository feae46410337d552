"""Receiving, distributing and reversing goods, each with its event in one transaction.

A distribution locks the stock row before it reads the quantity, so concurrent
distributions of one item queue behind each other and none gives out what another has
already taken; the table's check constraint refuses a negative stock besides.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from uuid_utils.compat import uuid7

from wushe.charity.adapters.goods_locks import locked
from wushe.charity.adapters.goods_orm import GoodsMovementRecord, GoodsStockRecord
from wushe.charity.domain.goods_stock import (
    GoodsDistribution,
    GoodsReceipt,
    MovementReversal,
    reversal_value_change,
    value_leaving,
)
from wushe.charity.domain.refusals import Invalid, NotFound, Refused, require_within
from wushe.shared.auth import Caller
from wushe.shared.db import conflict_insert
from wushe.shared.events import Producer, new_event
from wushe.shared.events.goods import (
    GoodsCategory,
    GoodsDistributed,
    GoodsMovementReversed,
    GoodsReceived,
)
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.unit_of_work import UnitOfWork

RECEIVED = "received"
DISTRIBUTED = "distributed"
EVENT_TYPE_OF_KIND = {RECEIVED: "goods.received", DISTRIBUTED: "goods.distributed"}
DONOR_COLUMN = "goods_movements.donor"
REASON_COLUMN = "goods_movements.reason"


@dataclass(frozen=True)
class Moved:
    """A movement as recorded, with the stock it left behind."""

    movement: GoodsMovementRecord
    stock: GoodsStockRecord


async def receive_goods(
    uow: UnitOfWork, receipt: GoodsReceipt, *, caller: Caller, cipher: FieldCipher,
    producer: Producer,
) -> Moved:  # fmt: skip
    receipt.check()
    require_within(caller, receipt.station_region, field="station_region")
    async with uow:
        stock = await _stock_item_locked(uow, receipt)
        stock.quantity += receipt.quantity
        stock.value_fen += receipt.value_fen
        movement = GoodsMovementRecord(
            id=str(uuid7()),
            stock_id=stock.id,
            station_region=stock.station_region,
            kind=RECEIVED,
            quantity_change=receipt.quantity,
            value_change_fen=receipt.value_fen,
            donor_sealed=(
                cipher.encrypt(receipt.donor_name, column=DONOR_COLUMN)
                if receipt.donor_name
                else None
            ),
            recorded_by=caller.subject,
            recorded_at=datetime.now(UTC),
        )
        uow.session.add(movement)
        await uow.emit(
            new_event(
                GoodsReceived(
                    movement_id=UUID(movement.id),
                    stock_id=UUID(stock.id),
                    station_region=stock.station_region,
                    category=GoodsCategory(stock.category),
                    description=stock.description,
                    unit=stock.unit,
                    quantity=receipt.quantity,
                    value_fen=receipt.value_fen,
                    donor_named=movement.donor_sealed is not None,
                ),
                subject=stock.id,
                region_code=stock.station_region,
                producer=producer,
                actor=caller.subject,
            )
        )
        await uow.commit()
    return Moved(movement, stock)


async def distribute_goods(
    uow: UnitOfWork, distribution: GoodsDistribution, *, caller: Caller, producer: Producer
) -> Moved:
    distribution.check()
    require_within(caller, distribution.recipient_region, field="recipient_region")
    async with uow:
        stock = await locked(uow.session, GoodsStockRecord, str(distribution.stock_id))
        if stock is None:
            raise NotFound(
                f"no stock item {distribution.stock_id} (无此库存物资)", field="stock_id"
            )
        require_within(caller, stock.station_region, field="station_region")
        if distribution.quantity > stock.quantity:
            raise Refused(
                f"only {stock.quantity} {stock.unit} of {stock.description} in stock, "
                f"{distribution.quantity} asked (库存不足)",
                field="quantity",
            )
        value = value_leaving(distribution.quantity, stock.quantity, stock.value_fen)
        stock.quantity -= distribution.quantity
        stock.value_fen -= value
        movement = GoodsMovementRecord(
            id=str(uuid7()),
            stock_id=stock.id,
            station_region=stock.station_region,
            kind=DISTRIBUTED,
            quantity_change=-distribution.quantity,
            value_change_fen=-value,
            person_id=_text(distribution.person_id),
            activity_id=_text(distribution.activity_id),
            recipient_region=distribution.recipient_region,
            recorded_by=caller.subject,
            recorded_at=datetime.now(UTC),
        )
        uow.session.add(movement)
        await uow.emit(
            new_event(
                GoodsDistributed(
                    movement_id=UUID(movement.id),
                    stock_id=UUID(stock.id),
                    station_region=stock.station_region,
                    category=GoodsCategory(stock.category),
                    description=stock.description,
                    unit=stock.unit,
                    quantity=distribution.quantity,
                    value_fen=value,
                    person_id=distribution.person_id,
                    activity_id=distribution.activity_id,
                    recipient_region=distribution.recipient_region,
                ),
                subject=stock.id,
                region_code=distribution.recipient_region,
                producer=producer,
                actor=caller.subject,
            )
        )
        await uow.commit()
    return Moved(movement, stock)


async def reverse_movement(
    uow: UnitOfWork, movement_id: UUID, reversal: MovementReversal, *, caller: Caller,
    cipher: FieldCipher, producer: Producer,
) -> Moved:  # fmt: skip
    """Undo a movement entered in error with an opposite one; a receipt can be reversed
    only while its goods are still in stock."""
    async with uow:
        original = await uow.session.get(GoodsMovementRecord, str(movement_id))
        if original is None:
            raise NotFound(f"no goods movement {movement_id} (无此出入库记录)", field="movement_id")
        require_within(caller, original.station_region, field="station_region")
        if original.reverses_id is not None:
            raise Invalid(
                "a reversal cannot itself be reversed; enter the movement again "
                "(冲正记录不能再冲正, 请重新登记)",
                field="movement_id",
            )
        stock = await locked(uow.session, GoodsStockRecord, original.stock_id)
        assert stock is not None  # movements reference their stock
        if await uow.session.scalar(
            select(GoodsMovementRecord.id).where(GoodsMovementRecord.reverses_id == original.id)
        ):
            raise Refused(
                f"movement {movement_id} is already reversed (已冲正)", field="movement_id"
            )
        if stock.quantity - original.quantity_change < 0:
            raise Refused(
                f"only {stock.quantity} {stock.unit} left in stock; the receipt of "
                f"{original.quantity_change} cannot be reversed (库存不足, 无法冲正入库)",
                field="movement_id",
            )
        value_change = reversal_value_change(
            original.value_change_fen, stock.quantity - original.quantity_change, stock.value_fen
        )
        stock.quantity -= original.quantity_change
        stock.value_fen += value_change
        movement = GoodsMovementRecord(
            id=str(uuid7()),
            stock_id=stock.id,
            station_region=stock.station_region,
            kind=original.kind,
            quantity_change=-original.quantity_change,
            value_change_fen=value_change,
            person_id=original.person_id,
            activity_id=original.activity_id,
            recipient_region=original.recipient_region,
            reverses_id=original.id,
            reason_sealed=cipher.encrypt(reversal.reason, column=REASON_COLUMN),
            recorded_by=caller.subject,
            recorded_at=datetime.now(UTC),
        )
        uow.session.add(movement)
        await uow.emit(
            new_event(
                GoodsMovementReversed(
                    movement_id=UUID(movement.id),
                    reverses_movement_id=UUID(original.id),
                    reversed_type=EVENT_TYPE_OF_KIND[original.kind],
                    stock_id=UUID(stock.id),
                    station_region=stock.station_region,
                    category=GoodsCategory(stock.category),
                    quantity_change=movement.quantity_change,
                    value_change_fen=value_change,
                    person_id=_uuid(original.person_id),
                    activity_id=_uuid(original.activity_id),
                ),
                subject=stock.id,
                region_code=original.recipient_region or stock.station_region,
                producer=producer,
                actor=caller.subject,
            )
        )
        await uow.commit()
    return Moved(movement, stock)


async def _stock_item_locked(uow: UnitOfWork, receipt: GoodsReceipt) -> GoodsStockRecord:
    """The station's stock row for this item, created empty when first received."""
    key = {
        "station_region": receipt.station_region,
        "category": receipt.category.value,
        "description": receipt.description,
        "unit": receipt.unit,
    }
    # Two first receipts of one item may race: the loser's insert does nothing.
    await uow.session.execute(
        conflict_insert(uow.session, GoodsStockRecord)
        .values(id=str(uuid7()), quantity=0, value_fen=0, **key)
        .on_conflict_do_nothing()
    )
    stock_id = await uow.session.scalar(select(GoodsStockRecord.id).filter_by(**key))
    assert stock_id is not None
    stock = await locked(uow.session, GoodsStockRecord, stock_id)
    assert stock is not None
    return stock


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def _uuid(value: str | None) -> UUID | None:
    return None if value is None else UUID(value)
