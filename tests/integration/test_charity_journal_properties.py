"""Property: any sequence of donations, disbursements, refunds and corrections, on SQLite
and PostgreSQL, leaves every journal entry balanced, no holding account below zero, every
cached balance equal to the sum of its lines, each holding account's balance equal to
what its donations have not yet given, and restricted money spent only for its purpose."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from integration.charity_books import (
    APPROVER,
    CLERK,
    a_fund,
    balances,
    charity_books,
    give,
    on_ledger,
    unbalanced_entries,
)
from integration.conftest import MigratedDatabase, Sessions
from wushe.charity.adapters.accounts_orm import AccountRecord
from wushe.charity.adapters.disbursement_orm import AllocationRecord, DisbursementRecord
from wushe.charity.adapters.orm import DonationRecord
from wushe.charity.domain.disbursement import DisbursementRequest
from wushe.charity.domain.donation import Channel, DonationEntry
from wushe.charity.domain.refusals import Refused
from wushe.charity.domain.restrictions import Restriction, RestrictionKind
from wushe.charity.service_layer.approval import approve_disbursement
from wushe.charity.service_layer.disbursements import request_disbursement
from wushe.charity.service_layer.reversals import correct, refund
from wushe.shared.unit_of_work import UnitOfWork

# Purposes: 0 unrestricted, 1 the first person, 2 orphans (only the first person is one),
# 3 a project. Recipients: 0 the first person, 1 the second person, 2 the project.
donate = st.tuples(st.just("donate"), st.integers(1, 5_000), st.integers(0, 3))
disburse = st.tuples(st.just("disburse"), st.integers(1, 6_000), st.integers(0, 3),
                     st.integers(0, 2))  # fmt: skip
reverse = st.tuples(
    st.sampled_from(["refund", "correct"]), st.integers(0, 30), st.integers(1, 5_000)
)
operations = st.lists(st.one_of(donate, disburse, reverse), min_size=1, max_size=14)


@dataclass
class Books:
    sessions: Sessions
    orphan: str
    other: str


@pytest.fixture
async def books(migrated_database: MigratedDatabase) -> AsyncIterator[Books]:
    sessions = await charity_books(migrated_database)
    yield Books(sessions, await on_ledger(sessions, ["child_orphan"]), await on_ledger(sessions))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=operations)
async def test_any_sequence_keeps_the_books_exact(
    books: Books, steps: list[tuple[str, int, int] | tuple[str, int, int, int]]
) -> None:
    sessions = books.sessions
    fund = await a_fund(sessions)
    purposes = [None, Restriction(kind=RestrictionKind.PERSON, target=books.orphan),
                Restriction(kind=RestrictionKind.GROUP, target="child_orphan"),
                Restriction(kind=RestrictionKind.PROJECT, target="roof")]  # fmt: skip
    donations: list[str] = []
    for step in steps:
        try:
            if step[0] == "donate":
                donations.append(
                    (await give(sessions, fund, step[1], restriction=purposes[step[2]])).id
                )
            elif step[0] == "disburse":
                await _disburse(books, fund, step[1], purposes[step[2]], step[3])  # type: ignore[misc]
            elif donations:
                donation = uuid.UUID(donations[step[1] % len(donations)])
                if step[0] == "refund":
                    await refund(UnitOfWork(sessions), donation, "退回", CLERK)
                else:
                    entry = DonationEntry(amount_fen=step[2], channel=Channel.BANK_TRANSFER)
                    donations.append(
                        (await correct(UnitOfWork(sessions), donation, entry, CLERK)).id
                    )
        except Refused:
            pass  # refused commands must leave nothing behind, which the checks below see
    await _check(sessions, fund, books)


async def _disburse(
    books: Books, fund: uuid.UUID, amount: int, purpose: Restriction | None, recipient: int
) -> None:
    person = [books.orphan, books.other, None][recipient]
    request = DisbursementRequest(
        amount_fen=amount, purpose="救助", restriction=purpose,
        person_id=uuid.UUID(person) if person else None,
        project_id=None if person else "roof",
    )  # fmt: skip
    requested = await request_disbursement(UnitOfWork(books.sessions), fund, request, CLERK)
    await approve_disbursement(UnitOfWork(books.sessions), uuid.UUID(requested.id), APPROVER)


async def _check(sessions: Sessions, fund: uuid.UUID, books: Books) -> None:
    assert await unbalanced_entries(sessions) == []
    for code, (cached, summed) in (await balances(sessions, fund)).items():
        assert cached == summed, code
        if code.startswith("holding"):
            assert cached >= 0, code
    async with sessions() as session:
        unspent = dict(
            (await session.execute(
                select(DonationRecord.account_id, func.sum(DonationRecord.unallocated_fen))
                .where(DonationRecord.fund_id == str(fund), DonationRecord.status == "received")
                .group_by(DonationRecord.account_id)
            )).tuples().all()
        )  # fmt: skip
        holding = (await session.scalars(
            select(AccountRecord).where(AccountRecord.fund_id == str(fund), AccountRecord.holding)
        )).all()  # fmt: skip
        for account in holding:
            assert account.balance_fen == int(unspent.get(account.id, 0)), account.code
        traced = (
            select(
                AllocationRecord.disbursement_id, func.sum(AllocationRecord.amount_fen).label("t")
            )
            .group_by(AllocationRecord.disbursement_id)
            .subquery()
        )
        paid = (await session.execute(
            select(DisbursementRecord, AccountRecord, traced.c.t)
            .join(AccountRecord, AccountRecord.id == DisbursementRecord.account_id)
            .outerjoin(traced, traced.c.disbursement_id == DisbursementRecord.id)
            .where(DisbursementRecord.fund_id == str(fund))
        )).tuples().all()  # fmt: skip
    for disbursement, account, total in paid:
        approved = disbursement.status == "approved"
        assert (total or 0) == (disbursement.amount_fen if approved else 0)
        if account.restriction_kind == "person":
            assert disbursement.person_id == account.restriction_target
        elif account.restriction_kind == "group":
            assert disbursement.person_id == books.orphan
        elif account.restriction_kind == "project":
            assert disbursement.project_id == account.restriction_target
