"""Concurrency on SQLite and PostgreSQL: many approvals against one fund, each in its own
session, never overdraw it; one disbursement approved at once by several pays once; a
refund racing an approval for the same money lets one through; concurrent donations
never share a receipt number."""

import asyncio
import uuid
from collections.abc import Awaitable

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
from integration.conftest import MigratedDatabase
from wushe.charity.adapters.disbursement_orm import AllocationRecord
from wushe.charity.domain.disbursement import DisbursementRequest
from wushe.charity.domain.refusals import Overdrawn, Refused
from wushe.charity.service_layer.approval import approve_disbursement
from wushe.charity.service_layer.disbursements import request_disbursement
from wushe.charity.service_layer.reversals import refund
from wushe.shared.unit_of_work import UnitOfWork


async def test_twenty_concurrent_approvals_never_overdraw_the_fund(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    person = uuid.UUID(await on_ledger(books))
    for amount in (200, 300):
        await give(books, fund, amount)
    request = DisbursementRequest(amount_fen=30, purpose="助餐", person_id=person)
    requested = [
        await request_disbursement(UnitOfWork(books), fund, request, CLERK) for _ in range(20)
    ]

    async def approve(disbursement_id: str) -> bool:
        try:
            await approve_disbursement(UnitOfWork(books), uuid.UUID(disbursement_id), APPROVER)
        except Overdrawn:
            return False
        return True

    outcomes = await asyncio.gather(*(approve(d.id) for d in requested))

    assert sum(outcomes) == 16  # 16 × 30 = 480 of 500
    accounts = await balances(books, fund)
    assert accounts["holding"] == (20, 20)
    assert accounts["disbursed:person"] == (480, 480)
    assert await unbalanced_entries(books) == []
    async with books() as session:
        traced = await session.scalar(select(func.sum(AllocationRecord.amount_fen)))
    assert traced == 480


async def test_concurrent_donations_get_distinct_consecutive_receipts(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    donations = await asyncio.gather(*(give(books, fund, 100 + n) for n in range(20)))
    numbers = sorted(int(d.receipt_number.rsplit("-", 1)[1]) for d in donations)
    assert numbers == list(range(1, 21))
    assert (await balances(books, fund))["holding"] == (sum(range(100, 120)),) * 2


async def test_one_disbursement_approved_five_times_at_once_pays_once(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    await give(books, fund, 1_000)
    request = DisbursementRequest(amount_fen=100, purpose="修缮", project_id="roof")
    requested = await request_disbursement(UnitOfWork(books), fund, request, CLERK)

    async def approve() -> bool:
        try:
            await approve_disbursement(UnitOfWork(books), uuid.UUID(requested.id), APPROVER)
        except Refused as refusal:
            assert refusal.field == "status"
            return False
        return True

    assert sorted(await asyncio.gather(*(approve() for _ in range(5)))) == [False] * 4 + [True]
    assert (await balances(books, fund))["holding"] == (900, 900)


async def test_a_refund_racing_an_approval_for_the_same_money_lets_one_through(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund = await a_fund(books)
    donation = await give(books, fund, 100)
    request = DisbursementRequest(amount_fen=100, purpose="修缮", project_id="roof")
    requested = await request_disbursement(UnitOfWork(books), fund, request, CLERK)

    async def succeeds(command: Awaitable[object]) -> bool:
        try:
            await command
        except Refused:
            return False
        return True

    outcomes = await asyncio.gather(
        succeeds(approve_disbursement(UnitOfWork(books), uuid.UUID(requested.id), APPROVER)),
        succeeds(refund(UnitOfWork(books), uuid.UUID(donation.id), "退回", CLERK)),
    )
    assert sorted(outcomes) == [False, True]
    accounts = await balances(books, fund)
    assert accounts["holding"] == (0, 0)
    paid_out, received = accounts["disbursed:project"][0], accounts["donations:cash"][0]
    assert (paid_out, received) == ((100, -100) if outcomes[0] else (0, 0))
    assert await unbalanced_entries(books) == []
