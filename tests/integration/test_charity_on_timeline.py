"""Money and goods a person received from charity are on their file's timeline; help
to a project or an activity is not on anyone's."""

import uuid

from sqlalchemy import select

from integration.conftest import MigratedDatabase
from wushe.ledger.adapters.orm import TimelineEntryRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.domain.timeline_words import detail_words, yuan
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.charity import DisbursedFrom, FundDisbursed
from wushe.shared.events.goods import GoodsCategory, GoodsDistributed
from wushe.shared.unit_of_work import UnitOfWork

CHARITY = Producer(service="charity", deployment="test")
LEDGER = Producer(service="ledger", deployment="test")


def disbursed(person_id: uuid.UUID | None, amount_fen: int) -> EventEnvelope:
    fund_id = uuid.uuid4()
    payload = FundDisbursed(
        fund_id=fund_id, disbursement_id=uuid.uuid4(), amount_fen=amount_fen,
        purpose="医疗救助", person_id=person_id, project_id=None if person_id else "幸福家园-01",
        sources=[DisbursedFrom(donation_id=uuid.uuid4(), amount_fen=amount_fen)],
    )  # fmt: skip
    return new_event(payload, subject=str(fund_id), region_code="420704", producer=CHARITY)


def goods_given(person_id: uuid.UUID) -> EventEnvelope:
    stock_id = uuid.uuid4()
    payload = GoodsDistributed(
        movement_id=uuid.uuid4(), stock_id=stock_id, station_region="420704",
        category=GoodsCategory.FOOD, description="大米", unit="袋", quantity=2,
        value_fen=12_000, person_id=person_id, recipient_region="420704003",
    )  # fmt: skip
    return new_event(payload, subject=str(stock_id), region_code="420704", producer=CHARITY)


async def test_charity_help_is_on_the_persons_timeline(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person_id = uuid.uuid4()
    for event in (disbursed(person_id, 50_005), disbursed(None, 900), goods_given(person_id)):
        await apply_consumed(UnitOfWork(sessions), event, LEDGER)

    async with sessions() as session:
        entries = (await session.scalars(select(TimelineEntryRecord))).all()
    assert sorted(entry.event_type for entry in entries) == ["fund.disbursed", "goods.distributed"]
    assert {entry.person_id for entry in entries} == {str(person_id)}
    assert all(entry.source == "charity" for entry in entries)
    money = next(entry for entry in entries if entry.event_type == "fund.disbursed")
    assert money.details["amount_fen"] == 50_005
    assert "amount_fen: 500.05元" in detail_words(money.details)
    goods = next(entry for entry in entries if entry.event_type == "goods.distributed")
    assert "category: 食品" in detail_words(goods.details)


def test_fen_are_written_as_exact_yuan() -> None:
    assert yuan(0) == "0.00元"
    assert yuan(7) == "0.07元"
    assert yuan(19_890_000) == "198900.00元"
    assert yuan(-150) == "-1.50元"
