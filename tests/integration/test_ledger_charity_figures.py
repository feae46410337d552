"""Charity's money and goods in the ledger's reports, on SQLite and PostgreSQL: summed per
region and day from charity's events, in China's time, a refund and reversals taken off,
each event counted once however often it arrives; figures counted by hand."""

import uuid
from datetime import UTC, datetime
from io import BytesIO

from openpyxl import load_workbook
from pydantic import BaseModel

from integration.conftest import MigratedDatabase, Sessions
from wushe.ledger.adapters.dispatch_workbook import dispatch_workbook
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.domain.report_figures import Period
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.ledger.service_layer.reports import figures
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.charity import DonationReceived, DonationReversed, FundDisbursed
from wushe.shared.events.goods import (
    GoodsCategory,
    GoodsDistributed,
    GoodsMovementReversed,
    GoodsReceived,
)
from wushe.shared.unit_of_work import UnitOfWork

CHARITY = Producer(service="charity", deployment="test")
LEDGER = Producer(service="ledger", deployment="test")
FENGHUANG, GULOU = "420704001", "420704002"
FUND = uuid.uuid4()


def at(moment: datetime, payload: BaseModel, region: str) -> EventEnvelope:
    event = new_event(payload, subject=str(FUND), region_code=region, producer=CHARITY)
    return event.model_copy(update={"occurred_at": moment})


def donation(amount_fen: int) -> DonationReceived:
    return DonationReceived(donation_id=uuid.uuid4(), fund_id=FUND, amount_fen=amount_fen,
                            channel="cash", receipt_number="EC-CF-2026-000001")  # fmt: skip


def goods(region: str, value_fen: int, given: bool = False) -> BaseModel:
    common = {"movement_id": uuid.uuid4(), "stock_id": uuid.uuid4(), "station_region": region,
              "category": GoodsCategory.FOOD, "description": "大米", "unit": "袋",
              "quantity": 10, "value_fen": value_fen}  # fmt: skip
    if given:
        return GoodsDistributed(**common, recipient_region=region + "003")
    return GoodsReceived(**common, donor_named=False)


def reversal(region: str, of: str, value_change_fen: int) -> GoodsMovementReversed:
    return GoodsMovementReversed(
        movement_id=uuid.uuid4(), reverses_movement_id=uuid.uuid4(), reversed_type=of,
        stock_id=uuid.uuid4(), station_region=region, category=GoodsCategory.FOOD,
        quantity_change=0, value_change_fen=value_change_fen,
    )  # fmt: skip


async def apply(sessions: Sessions, event: EventEnvelope) -> None:
    await apply_consumed(UnitOfWork(sessions), event, LEDGER)


async def test_money_and_goods_are_summed_by_region_and_period(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    november_3 = datetime(2026, 11, 3, 2, tzinfo=UTC)
    # 23:30 on October 31st in UTC is November 1st in China: counted in November.
    first_in_china = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    # 17:00 on November 30th in UTC is December 1st in China: not in November.
    december_in_china = datetime(2026, 11, 30, 17, tzinfo=UTC)
    refunded = donation(30_000)
    events = [
        at(first_in_china, donation(12_345), "420704"),
        at(november_3, refunded, "420704"),
        at(november_3, donation(50_000), FENGHUANG),
        at(december_in_china, donation(99_900), FENGHUANG),
        at(
            november_3,
            DonationReversed(
                donation_id=refunded.donation_id,
                fund_id=FUND,
                amount_fen=30_000,
                receipt_number="R",
                reason="refund",
            ),
            "420704",
        ),
        at(
            november_3,
            FundDisbursed(
                fund_id=FUND, disbursement_id=uuid.uuid4(), amount_fen=8_000, purpose="助餐"
            ),
            FENGHUANG,
        ),
        at(november_3, goods(FENGHUANG, 120_000), FENGHUANG),
        at(november_3, goods(FENGHUANG, 40_000, given=True), FENGHUANG),
        at(november_3, reversal(FENGHUANG, "goods.distributed", 10_000), FENGHUANG),
        at(november_3, goods(GULOU, 7_500), GULOU),
        at(november_3, reversal(GULOU, "goods.received", -7_500), GULOU),
    ]
    for event in events:
        await apply(sessions, event)
    await apply(sessions, events[2])  # delivered again: counted once

    async with sessions() as session:
        stations, district = await figures(session, "420704", "station", Period.month(2026, 11))
        _, december = await figures(session, "420704", "district", Period.month(2026, 12))

    money = {row.region_code: (row.donations, row.raised_fen, row.disbursed_fen,
                               row.goods_received_fen, row.goods_given_fen)
             for row in stations}  # fmt: skip
    # The fund of the district is a row of its own code, like a station's own activity.
    assert money == {
        "420704": (1, 12_345, 0, 0, 0),
        FENGHUANG: (1, 50_000, 8_000, 120_000, 30_000),
        GULOU: (0, 0, 0, 0, 0),
    }
    assert (district.donations, district.raised_fen, district.disbursed_fen) == (2, 62_345, 8_000)
    assert (district.goods_received_fen, district.goods_given_fen) == (120_000, 30_000)
    assert (december.donations, december.raised_fen) == (1, 99_900)

    sheet = load_workbook(
        BytesIO(dispatch_workbook("鄂城区", Period.month(2026, 11), stations, district))
    ).active
    assert sheet is not None
    assert [sheet.cell(3, c).value for c in (17, 19)] == ["慈善资金（元）", "慈善物资（元）"]
    assert [sheet.cell(4, c).value for c in (17, 18, 19, 20)] == ["募集", "拨付", "接收", "发放"]
    total_row = 5 + len(stations)
    assert [sheet.cell(total_row, c).value for c in (17, 18, 19, 20)] == [
        "623.45", "80.00", "1200.00", "300.00",
    ]  # fmt: skip
