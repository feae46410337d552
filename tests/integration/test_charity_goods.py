"""Goods in kind on SQLite and PostgreSQL: receipts into a station's stock, distributions
that never give out more than is held (also when many race for the last units),
corrections as reversing movements, and the figures by region and period."""

import asyncio
import json
import os
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

import wushe.charity
from integration.conftest import MigratedDatabase, Sessions
from wushe.charity.adapters.goods_orm import GoodsMovementRecord, GoodsStockRecord
from wushe.charity.domain.goods_periods import Period, china_today
from wushe.charity.domain.goods_stock import GoodsDistribution, GoodsReceipt, MovementReversal
from wushe.charity.domain.refusals import Forbidden, Invalid, Refused
from wushe.charity.service_layer.goods_movements import (
    Moved,
    distribute_goods,
    receive_goods,
    reverse_movement,
)
from wushe.charity.service_layer.goods_reads import goods_figures, stock_in
from wushe.shared.auth import Caller, Role
from wushe.shared.events import Producer
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.messaging_tables import outbox
from wushe.shared.unit_of_work import UnitOfWork

# The service's migrations, found without building the service's app.
MIGRATIONS = Path(wushe.charity.__file__).parent / "migrations"
CHARITY = Producer(service="charity", deployment="test")
STATION = "420704001"
OTHER_STATION = "420704002"
VILLAGE = "420704001003"
STAFF = Caller(subject="staff-1", role=Role.STATION_STAFF, region="420704")
CIPHER = FieldCipher({"k1": os.urandom(32)}, "k1")


def rice(quantity: int = 10, **changes: object) -> GoodsReceipt:
    fields: dict[str, object] = {
        "station_region": STATION, "category": "food", "description": "大米 10kg 装",
        "unit": "袋", "quantity": quantity, "unit_value_fen": 5_000,
    }  # fmt: skip
    return GoodsReceipt.model_validate({**fields, **changes})


async def receive(sessions: Sessions, receipt: GoodsReceipt, caller: Caller = STAFF) -> Moved:
    return await receive_goods(
        UnitOfWork(sessions), receipt, caller=caller, cipher=CIPHER, producer=CHARITY
    )


async def give(
    sessions: Sessions, stock_id: str, quantity: int, person: uuid.UUID | None = None
) -> Moved:
    distribution = GoodsDistribution(
        stock_id=uuid.UUID(stock_id), quantity=quantity, person_id=person or uuid.uuid4(),
        recipient_region=VILLAGE,
    )  # fmt: skip
    return await distribute_goods(
        UnitOfWork(sessions), distribution, caller=STAFF, producer=CHARITY
    )


async def reverse(sessions: Sessions, movement_id: str, reason: str = "录入有误") -> Moved:
    return await reverse_movement(
        UnitOfWork(sessions), uuid.UUID(movement_id), MovementReversal(reason=reason),
        caller=STAFF, cipher=CIPHER, producer=CHARITY,
    )  # fmt: skip


async def stock_of(sessions: Sessions, stock_id: str) -> tuple[int, int]:
    async with sessions() as session:
        stock = await session.get(GoodsStockRecord, stock_id)
        assert stock is not None
        return stock.quantity, stock.value_fen


async def events(sessions: Sessions) -> list[tuple[str, dict[str, object]]]:
    async with sessions() as session:
        rows = await session.execute(
            select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)
        )
        return [(kind, json.loads(body)["payload"]) for kind, body in rows]


async def test_received_goods_are_stocked_and_given_to_a_person_on_their_file(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    first = await receive(sessions, rice(10, donor_name="王建国"))
    again = await receive(sessions, rice(5, unit_value_fen=None, total_value_fen=30_000))
    assert again.stock.id == first.stock.id, "the same item at the same station is one stock row"
    assert await stock_of(sessions, first.stock.id) == (15, 80_000)

    person = uuid.uuid4()
    given = await give(sessions, first.stock.id, 4, person)
    # 80,000 fen for 15 bags: 4 bags leave at the average, rounded down to the fen.
    assert given.movement.value_change_fen == -(80_000 * 4 // 15)
    assert await stock_of(sessions, first.stock.id) == (11, 80_000 - 80_000 * 4 // 15)
    rest = await give(sessions, first.stock.id, 11)
    assert await stock_of(sessions, first.stock.id) == (0, 0), "the last bag takes what is left"
    assert rest.movement.value_change_fen == -(80_000 - 80_000 * 4 // 15)

    published = await events(sessions)
    assert [kind for kind, _ in published] == [
        "goods.received", "goods.received", "goods.distributed", "goods.distributed",
    ]  # fmt: skip
    distributed = published[2][1]
    assert distributed["person_id"] == str(person)
    assert distributed["quantity"] == 4 and distributed["recipient_region"] == VILLAGE
    assert published[0][1]["donor_named"] is True and published[1][1]["donor_named"] is False
    assert "王建国" not in json.dumps(published, ensure_ascii=False)

    async with sessions() as session:
        sealed = await session.scalar(
            select(GoodsMovementRecord.donor_sealed).where(
                GoodsMovementRecord.id == first.movement.id
            )
        )
        stored = await session.execute(text("SELECT * FROM goods_movements"))
        assert "王建国" not in str(stored.all())
    assert sealed is not None
    assert CIPHER.decrypt(sealed, column="goods_movements.donor") == "王建国"


async def test_nothing_is_given_out_that_is_not_in_stock_and_nothing_is_half_written(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    stock = (await receive(sessions, rice(3))).stock
    with pytest.raises(Refused) as refused:
        await give(sessions, stock.id, 4)
    assert refused.value.field == "quantity" and refused.value.status_code == 409
    assert await stock_of(sessions, stock.id) == (3, 15_000)
    assert [kind for kind, _ in await events(sessions)] == ["goods.received"]

    with pytest.raises(Refused) as unknown:
        await give(sessions, str(uuid.uuid4()), 1)
    assert unknown.value.field == "stock_id" and unknown.value.status_code == 404


async def test_entries_are_refused_naming_the_field_to_correct(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    with pytest.raises(Invalid) as both:
        await receive(sessions, rice(1, total_value_fen=100))
    assert both.value.field == "unit_value_fen"
    with pytest.raises(Invalid) as neither:
        await receive(sessions, rice(1, unit_value_fen=None))
    assert neither.value.field == "unit_value_fen"
    elsewhere = Caller(subject="staff-2", role=Role.STATION_STAFF, region="420703")
    with pytest.raises(Forbidden) as outside:
        await receive(sessions, rice(1), caller=elsewhere)
    assert outside.value.field == "station_region"
    stock = (await receive(sessions, rice(2))).stock
    no_recipient = GoodsDistribution(stock_id=uuid.UUID(stock.id), quantity=1,
                                     recipient_region=VILLAGE)  # fmt: skip
    with pytest.raises(Invalid) as missing:
        await distribute_goods(UnitOfWork(sessions), no_recipient, caller=STAFF, producer=CHARITY)
    assert missing.value.field == "person_id"
    assert await stock_of(sessions, stock.id) == (2, 10_000)


async def test_corrections_are_reversing_movements_not_edits(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    received = await receive(sessions, rice(10))
    person = uuid.uuid4()
    given = await give(sessions, received.stock.id, 6, person)

    undone = await reverse(sessions, given.movement.id, "发错了人")
    assert undone.movement.quantity_change == 6 and undone.movement.reverses_id == given.movement.id
    assert await stock_of(sessions, received.stock.id) == (10, 50_000)
    with pytest.raises(Refused) as twice:
        await reverse(sessions, given.movement.id)
    assert twice.value.field == "movement_id"
    with pytest.raises(Invalid):
        await reverse(sessions, undone.movement.id)

    await give(sessions, received.stock.id, 5)
    with pytest.raises(Refused) as given_out:
        await reverse(sessions, received.movement.id)
    assert "库存不足" in str(given_out.value)
    assert await stock_of(sessions, received.stock.id) == (5, 25_000)

    async with sessions() as session:
        movements = await session.scalar(select(func.count()).select_from(GoodsMovementRecord))
    assert movements == 4, "every movement and its reversal stays on record"
    reversed_event = [p for kind, p in await events(sessions) if kind == "goods.movement_reversed"]
    assert reversed_event[0]["person_id"] == str(person)
    assert reversed_event[0]["reversed_type"] == "goods.distributed"
    assert reversed_event[0]["quantity_change"] == 6
    assert "发错了人" not in json.dumps(reversed_event, ensure_ascii=False)


async def test_concurrent_distributions_never_give_out_more_than_the_stock(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    stock = (await receive(sessions, rice(10))).stock

    async def attempt() -> int:
        try:
            await give(sessions, stock.id, 1)
        except Refused as refused:
            assert refused.field == "quantity", refused
            return 0
        return 1

    first = await asyncio.gather(*(attempt() for _ in range(18)))
    assert sum(first) == 10
    assert await stock_of(sessions, stock.id) == (0, 0)
    later = await asyncio.gather(*(attempt() for _ in range(4)))
    assert sum(later) == 0
    async with sessions() as session:
        given = await session.scalar(
            select(func.count()).where(GoodsMovementRecord.kind == "distributed")
        )
    assert given == 10, "exactly the ten bags in stock went out"


async def test_figures_count_goods_received_and_given_by_region_and_period(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    rice_stock = (await receive(sessions, rice(10))).stock
    coats = await receive(sessions, rice(
        4, station_region=OTHER_STATION, category="clothes", description="棉衣", unit="件",
        unit_value_fen=None, total_value_fen=60_000,
    ))  # fmt: skip
    person = uuid.uuid4()
    await give(sessions, rice_stock.id, 2, person)
    await give(sessions, rice_stock.id, 1, person)
    mistaken = await give(sessions, rice_stock.id, 3)
    await reverse(sessions, mistaken.movement.id)
    await reverse(sessions, coats.movement.id)

    today = china_today()
    async with sessions() as session:
        rows, total = await goods_figures(session, "420704", "station", Period(today, today))
        _, earlier = await goods_figures(
            session, "420704", "station", Period(today - timedelta(days=30), today - timedelta(1))
        )
        stock = await stock_in(session, "420704")
    by_station = {row.region_code: row for row in rows}
    here = by_station[STATION]
    assert (here.receipts, here.received_value_fen) == (1, 50_000)
    assert (here.distributions, here.given_value_fen, here.persons_given_to) == (2, 15_000, 1)
    assert here.items[("food", "袋")].given_quantity == 3
    there = by_station[OTHER_STATION]
    assert (there.receipts, there.received_value_fen) == (0, 0), "the reversed receipt nets out"
    assert total.receipts == 1 and total.distributions == 2 and total.given_value_fen == 15_000
    assert earlier.receipts == 0 and earlier.items == {}
    assert [(s.station_region, s.quantity) for s in stock] == [(STATION, 7)]
    assert Period.of("2026-02", None, None) == Period(date(2026, 2, 1), date(2026, 2, 28))
