"""Approving a disbursement: under the fund's lock, the purpose and the balance are
checked, the money is traced to the donations it came from (first in, first out), the
journal entry is posted, and `fund.disbursed` goes to the ledger, in one transaction."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.accounts_orm import AccountRecord
from wushe.charity.adapters.disbursement_orm import AllocationRecord, DisbursementRecord
from wushe.charity.adapters.orm import DonationRecord
from wushe.charity.domain.accounts import DISBURSED_TO_PERSON, DISBURSED_TO_PROJECT
from wushe.charity.domain.allocation import Allocation, first_in_first_out
from wushe.charity.domain.disbursement import DisbursementStatus
from wushe.charity.domain.donation import DonationStatus
from wushe.charity.domain.journal import EntryKind, Line
from wushe.charity.domain.refusals import NotFound
from wushe.charity.domain.restrictions import Restriction, RestrictionKind
from wushe.charity.service_layer.accounts import require_account
from wushe.charity.service_layer.balance_watch import fund_balance, warn_if_low
from wushe.charity.service_layer.disbursements import pending
from wushe.charity.service_layer.donations import Desk
from wushe.charity.service_layer.journal import post_entry
from wushe.charity.service_layer.purposes import check_purpose
from wushe.shared.events import new_event
from wushe.shared.events.charity import DisbursedFrom, DisbursementApproved, FundDisbursed
from wushe.shared.unit_of_work import UnitOfWork


async def approve_disbursement(
    uow: UnitOfWork, disbursement_id: UUID, desk: Desk
) -> DisbursementRecord:
    async with uow:
        session = uow.session
        fund, disbursement = await pending(uow, disbursement_id, desk)
        account = await session.get(AccountRecord, disbursement.account_id)
        if account is None:
            raise NotFound(f"no account {disbursement.account_id} / 没有该账户",
                           field="account_id")  # fmt: skip
        await check_purpose(session, _restriction(account), disbursement.person_id,
                            disbursement.project_id)  # fmt: skip
        before = await fund_balance(session, fund.id)
        sink = DISBURSED_TO_PERSON if disbursement.person_id else DISBURSED_TO_PROJECT
        amount = disbursement.amount_fen
        lines = [
            Line(account.id, -amount),
            Line(await require_account(session, fund.id, sink), amount),
        ]
        # Posting locks the accounts and refuses to overdraw before anything is traced.
        disbursement.entry_id = await post_entry(
            session, fund.id, EntryKind.DISBURSEMENT, lines, posted_by=desk.caller.subject
        )
        allocations = await _allocate(session, disbursement)
        disbursement.status = DisbursementStatus.APPROVED.value
        disbursement.decided_by = desk.caller.subject
        disbursement.decided_at = datetime.now(UTC)
        for payload in (
            DisbursementApproved(disbursement_id=disbursement_id, fund_id=UUID(fund.id),
                                 amount_fen=amount),
            FundDisbursed(
                fund_id=UUID(fund.id), disbursement_id=disbursement_id, amount_fen=amount,
                purpose=disbursement.purpose,
                person_id=UUID(disbursement.person_id) if disbursement.person_id else None,
                project_id=disbursement.project_id,
                sources=[DisbursedFrom(donation_id=UUID(a.donation_id), amount_fen=a.amount_fen)
                         for a in allocations],
            ),
        ):  # fmt: skip
            await uow.emit(
                new_event(payload, subject=fund.id, region_code=fund.region_code,
                          producer=desk.producer, actor=desk.caller.subject)
            )  # fmt: skip
        await warn_if_low(uow, fund, before, desk.producer, desk.caller.subject)
        await uow.commit()
    return disbursement


def _restriction(account: AccountRecord) -> Restriction | None:
    if account.restriction_kind is None or account.restriction_target is None:
        return None
    return Restriction(kind=RestrictionKind(account.restriction_kind),
                       target=account.restriction_target)  # fmt: skip


async def _allocate(session: AsyncSession, disbursement: DisbursementRecord) -> list[Allocation]:
    """Take the money from the account's donations, oldest first, and record it."""
    donations = (
        await session.scalars(
            select(DonationRecord)
            .where(
                DonationRecord.account_id == disbursement.account_id,
                DonationRecord.status == DonationStatus.RECEIVED,
                DonationRecord.unallocated_fen > 0,
            )
            .order_by(DonationRecord.received_at, DonationRecord.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    by_id = {donation.id: donation for donation in donations}
    allocations = first_in_first_out(
        [(donation.id, donation.unallocated_fen) for donation in donations],
        disbursement.amount_fen,
    )
    for allocation in allocations:
        by_id[allocation.donation_id].unallocated_fen -= allocation.amount_fen
        session.add(
            AllocationRecord(disbursement_id=disbursement.id, donation_id=allocation.donation_id,
                             amount_fen=allocation.amount_fen)
        )  # fmt: skip
    await session.flush()
    return allocations
