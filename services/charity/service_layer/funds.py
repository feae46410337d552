"""Opening funds and campaigns, their low-balance threshold and a campaign's status."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from uuid_utils.compat import uuid7

from wushe.charity.adapters.orm import FundRecord
from wushe.charity.domain.funds import (
    NEXT_STATUS,
    FundKind,
    FundOpening,
    FundStatus,
    initial_status,
    outside_period,
)
from wushe.charity.domain.refusals import NotFound, Refused
from wushe.charity.service_layer.accounts import open_standard_accounts
from wushe.charity.service_layer.locks import lock_fund
from wushe.shared.auth import Caller
from wushe.shared.events import Producer, new_event
from wushe.shared.events.charity import FundOpened, FundStatusChanged
from wushe.shared.unit_of_work import UnitOfWork


async def open_fund(
    uow: UnitOfWork, opening: FundOpening, producer: Producer, caller: Caller | None = None
) -> UUID:
    async with uow:
        if await uow.session.scalar(select(FundRecord.id).where(FundRecord.code == opening.code)):
            raise Refused(
                f"fund code {opening.code} is already used / 基金代码已被使用", field="code"
            )
        fund_id = uuid7()
        uow.session.add(
            FundRecord(
                id=str(fund_id), code=opening.code, name=opening.name,
                region_code=opening.region_code,
                manager_partner_ids=[str(p) for p in opening.manager_partner_ids],
                opened_at=datetime.now(UTC), kind=opening.kind.value,
                status=initial_status(opening.kind).value, goal_fen=opening.goal_fen,
                starts_on=opening.starts_on, ends_on=opening.ends_on,
                balance_low_threshold_fen=opening.balance_low_threshold_fen,
            )
        )  # fmt: skip
        await uow.session.flush()
        open_standard_accounts(uow.session, str(fund_id))
        payload = FundOpened(
            fund_id=fund_id, fund_name=opening.name, region_code=opening.region_code,
            manager_partner_ids=opening.manager_partner_ids, kind=opening.kind.value,
        )  # fmt: skip
        await uow.emit(
            new_event(payload, subject=str(fund_id), region_code=opening.region_code,
                      producer=producer, actor=caller.subject if caller else None)
        )  # fmt: skip
        await uow.commit()
    return fund_id


async def find_fund(uow: UnitOfWork, fund_id: UUID) -> FundRecord:
    async with uow:
        fund = await uow.session.get(FundRecord, str(fund_id))
    if fund is None:
        raise NotFound(f"no fund {fund_id} / 没有该基金", field="fund_id")
    return fund


async def set_threshold(uow: UnitOfWork, fund_id: UUID, threshold_fen: int) -> None:
    async with uow:
        fund = await lock_fund(uow.session, str(fund_id))
        fund.balance_low_threshold_fen = threshold_fen
        await uow.commit()


async def advance_campaign(
    uow: UnitOfWork, fund_id: UUID, to: FundStatus, *, caller: Caller, producer: Producer
) -> None:
    """registered → launched → closed, one step at a time."""
    async with uow:
        fund = await lock_fund(uow.session, str(fund_id))
        if fund.kind != FundKind.CAMPAIGN:
            raise Refused("only a campaign is launched or closed / 仅募捐项目可发起或结项",
                          field="fund_id")  # fmt: skip
        if NEXT_STATUS.get(FundStatus(fund.status)) is not to:
            raise Refused(f"a {fund.status} campaign cannot become {to.value} / 状态不允许",
                          field="status")  # fmt: skip
        # Launched early, a campaign waits for its first day; past its last, it never would.
        if to is FundStatus.LAUNCHED and (
            ended := outside_period(None, fund.ends_on, datetime.now(UTC))
        ):
            raise Refused(ended, field="ends_on")
        fund.status = to.value
        await uow.emit(
            new_event(FundStatusChanged(fund_id=fund_id, status=to.value), subject=fund.id,
                      region_code=fund.region_code, producer=producer, actor=caller.subject)
        )  # fmt: skip
        await uow.commit()
