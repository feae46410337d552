"""Requesting, rejecting and withdrawing disbursements; approval is in ``approval``."""

from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel
from uuid_utils.compat import uuid7

from wushe.charity.adapters.disbursement_orm import DisbursementRecord
from wushe.charity.adapters.orm import FundRecord
from wushe.charity.domain.accounts import holding_code
from wushe.charity.domain.disbursement import DisbursementRequest, DisbursementStatus
from wushe.charity.domain.refusals import Forbidden, Invalid, NotFound, Refused
from wushe.charity.service_layer.accounts import account_id
from wushe.charity.service_layer.donations import Desk
from wushe.charity.service_layer.locks import lock_fund
from wushe.charity.service_layer.purposes import check_purpose
from wushe.shared.events import new_event
from wushe.shared.events.charity import (
    DisbursementRejected,
    DisbursementRequested,
    DisbursementWithdrawn,
)
from wushe.shared.unit_of_work import UnitOfWork


async def request_disbursement(
    uow: UnitOfWork, fund_id: UUID, request: DisbursementRequest, desk: Desk
) -> DisbursementRecord:
    async with uow:
        session = uow.session
        fund = await session.get(FundRecord, str(fund_id))
        if fund is None:
            raise NotFound(f"no fund {fund_id} / 没有该基金", field="fund_id")
        person_id = str(request.person_id) if request.person_id else None
        await check_purpose(session, request.restriction, person_id, request.project_id)
        account = await account_id(session, fund.id, holding_code(request.restriction))
        if account is None:
            raise Invalid("the fund holds no money under this restriction / 该基金没有此定向资金",
                          field="restriction")  # fmt: skip
        disbursement = DisbursementRecord(
            id=str(uuid7()), fund_id=fund.id, account_id=account, person_id=person_id,
            project_id=request.project_id, amount_fen=request.amount_fen,
            purpose=request.purpose, status=DisbursementStatus.REQUESTED.value,
            requested_by=desk.caller.subject, requested_at=datetime.now(UTC),
        )  # fmt: skip
        session.add(disbursement)
        restriction = request.restriction
        payload = DisbursementRequested(
            disbursement_id=UUID(disbursement.id), fund_id=fund_id,
            amount_fen=request.amount_fen, purpose=request.purpose,
            person_id=request.person_id, project_id=request.project_id,
            restriction_kind=restriction.kind.value if restriction else None,
            restriction_target=restriction.target if restriction else None,
        )  # fmt: skip
        await uow.emit(
            new_event(payload, subject=fund.id, region_code=fund.region_code,
                      producer=desk.producer, actor=desk.caller.subject)
        )  # fmt: skip
        await uow.commit()
    return disbursement


async def reject_disbursement(
    uow: UnitOfWork, disbursement_id: UUID, reason: str, desk: Desk
) -> DisbursementRecord:
    async with uow:
        fund, disbursement = await pending(uow, disbursement_id, desk)
        disbursement.rejection_reason = reason
        payload = DisbursementRejected(
            disbursement_id=disbursement_id, fund_id=UUID(fund.id), reason=reason
        )
        await _close(uow, fund, disbursement, DisbursementStatus.REJECTED, payload, desk)
    return disbursement


async def withdraw_disbursement(
    uow: UnitOfWork, disbursement_id: UUID, reason: str, desk: Desk
) -> DisbursementRecord:
    """The requester takes back a request nobody has decided yet (撤回申请): no money
    moves, and it can no longer be approved."""
    async with uow:
        fund, disbursement = await _undecided(uow, disbursement_id)
        if disbursement.requested_by != desk.caller.subject:
            raise Forbidden(
                "only the requester may withdraw a request; others reject it "
                f"(requested by {disbursement.requested_by}) / 只有申请人可以撤回",
                field="requested_by",
            )
        disbursement.withdrawal_reason = reason
        payload = DisbursementWithdrawn(
            disbursement_id=disbursement_id, fund_id=UUID(fund.id), reason=reason
        )
        await _close(uow, fund, disbursement, DisbursementStatus.WITHDRAWN, payload, desk)
    return disbursement


async def _close(
    uow: UnitOfWork,
    fund: FundRecord,
    disbursement: DisbursementRecord,
    outcome: DisbursementStatus,
    payload: BaseModel,
    desk: Desk,
) -> None:
    """Closes a request without paying it, by the caller, and says so in ``payload``."""
    disbursement.status = outcome.value
    disbursement.decided_by = desk.caller.subject
    disbursement.decided_at = datetime.now(UTC)
    await uow.emit(
        new_event(payload, subject=fund.id, region_code=fund.region_code,
                  producer=desk.producer, actor=desk.caller.subject)
    )  # fmt: skip
    await uow.commit()


async def pending(
    uow: UnitOfWork, disbursement_id: UUID, desk: Desk
) -> tuple[FundRecord, DisbursementRecord]:
    """The fund locked and the disbursement still awaiting a decision by someone other
    than its requester (四眼原则)."""
    fund, disbursement = await _undecided(uow, disbursement_id)
    if disbursement.requested_by == desk.caller.subject:
        raise Forbidden(
            "the approver must not be the one who requested the disbursement "
            f"(requested by {disbursement.requested_by}) / 审批人不能是申请人",
            field="approver",
        )
    return fund, disbursement


async def _undecided(
    uow: UnitOfWork, disbursement_id: UUID
) -> tuple[FundRecord, DisbursementRecord]:
    """The fund locked and the disbursement still awaiting a decision."""
    found = await uow.session.get(DisbursementRecord, str(disbursement_id))
    if found is None:
        raise NotFound(f"no disbursement {disbursement_id} / 没有该拨付申请",
                       field="disbursement_id")  # fmt: skip
    fund = await lock_fund(uow.session, found.fund_id)
    disbursement = await uow.session.get(
        DisbursementRecord, found.id, with_for_update=True, populate_existing=True
    )
    if disbursement is None:
        raise NotFound(
            f"no disbursement {disbursement_id} / 没有该拨付申请", field="disbursement_id"
        )
    if disbursement.status != DisbursementStatus.REQUESTED:
        raise Refused(f"the disbursement was already {disbursement.status} / 该申请已处理",
                      field="status")  # fmt: skip
    return fund, disbursement
