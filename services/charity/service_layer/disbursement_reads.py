"""Disbursements as their readers see them."""

from uuid import UUID

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.accounts_orm import AccountRecord
from wushe.charity.adapters.disbursement_orm import DisbursementRecord
from wushe.charity.service_layer.read_models import DisbursementView


async def disbursements_where(
    session: AsyncSession, condition: ColumnElement[bool]
) -> list[DisbursementView]:
    rows = await session.execute(
        select(DisbursementRecord, AccountRecord.restriction_kind, AccountRecord.restriction_target)
        .join(AccountRecord, AccountRecord.id == DisbursementRecord.account_id)
        .where(condition)
        .order_by(DisbursementRecord.requested_at, DisbursementRecord.id)
    )
    return [
        DisbursementView(
            disbursement_id=UUID(d.id),
            fund_id=UUID(d.fund_id),
            amount_fen=d.amount_fen,
            purpose=d.purpose,
            person_id=UUID(d.person_id) if d.person_id else None,
            project_id=d.project_id,
            restriction_kind=kind,
            restriction_target=target,
            status=d.status,
            requested_by=d.requested_by,
            requested_at=d.requested_at,
            decided_by=d.decided_by,
            decided_at=d.decided_at,
            rejection_reason=d.rejection_reason,
            withdrawal_reason=d.withdrawal_reason,
        )
        for d, kind, target in rows
    ]
