"""Charity's events summed per region and day for the reports: money raised (donations
kept, less refunds) and disbursed, goods received and given (less reversals), each an
atomic addition, so that replicas and a rebuild in any order arrive at the same sums."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.ledger.adapters.charity_day_orm import CharityDayRecord
from wushe.ledger.domain.report_figures import CHARITY_SUMS
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.ledger.service_layer.visit_plans import CHINA
from wushe.shared.db import conflict_insert
from wushe.shared.events.charity import DonationReceived, DonationReversed, FundDisbursed
from wushe.shared.events.goods import GoodsDistributed, GoodsMovementReversed, GoodsReceived


async def add_to_day(session: AsyncSession, region_code: str, day: date, **change: int) -> None:
    table = CharityDayRecord.__table__
    values = {"region_code": region_code, "day": day} | dict.fromkeys(CHARITY_SUMS, 0) | change
    statement = conflict_insert(session, table).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["region_code", "day"],
            set_={name: table.c[name] + statement.excluded[name] for name in change},
        )
    )


def _day(applying: Applying) -> date:
    return applying.event.occurred_at.astimezone(CHINA).date()


@projection.on("donation.received")
async def count_donation(applying: Applying) -> None:
    received = DonationReceived.model_validate(applying.event.payload)
    await add_to_day(applying.session, applying.event.region_code, _day(applying),
                     donations=1, raised_fen=received.amount_fen)  # fmt: skip


@projection.on("donation.reversed")
async def count_reversal(applying: Applying) -> None:
    reversed_ = DonationReversed.model_validate(applying.event.payload)
    await add_to_day(applying.session, applying.event.region_code, _day(applying),
                     donations=-1, raised_fen=-reversed_.amount_fen)  # fmt: skip


@projection.on("fund.disbursed")
async def count_disbursement(applying: Applying) -> None:
    disbursed = FundDisbursed.model_validate(applying.event.payload)
    await add_to_day(applying.session, applying.event.region_code, _day(applying),
                     disbursed_fen=disbursed.amount_fen)  # fmt: skip


@projection.on("goods.received")
async def count_goods_in(applying: Applying) -> None:
    received = GoodsReceived.model_validate(applying.event.payload)
    await add_to_day(applying.session, received.station_region, _day(applying),
                     goods_received_fen=received.value_fen)  # fmt: skip


@projection.on("goods.distributed")
async def count_goods_out(applying: Applying) -> None:
    given = GoodsDistributed.model_validate(applying.event.payload)
    await add_to_day(applying.session, given.station_region, _day(applying),
                     goods_given_fen=given.value_fen)  # fmt: skip


@projection.on("goods.movement_reversed")
async def count_goods_reversal(applying: Applying) -> None:
    """A reversed receipt takes its value out of the stock (a negative change), a reversed
    distribution puts it back (a positive one)."""
    reversal = GoodsMovementReversed.model_validate(applying.event.payload)
    day, region = _day(applying), reversal.station_region
    if reversal.reversed_type == "goods.received":
        await add_to_day(applying.session, region, day,
                         goods_received_fen=reversal.value_change_fen)  # fmt: skip
    elif reversal.reversed_type == "goods.distributed":
        await add_to_day(applying.session, region, day,
                         goods_given_fen=-reversal.value_change_fen)  # fmt: skip
