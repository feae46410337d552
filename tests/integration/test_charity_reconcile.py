"""`wushe charity reconcile` on SQLite and PostgreSQL: a clean book reconciles; a tampered
cached balance, an unbalanced entry, a time-bank balance and a goods stock without their
movements are each reported with their figures, and the command then exits with 1."""

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime

from sqlalchemy import text, update

from integration.charity_books import APPROVER, CLERK, a_fund, charity_books, give, on_ledger
from integration.conftest import MigratedDatabase, Sessions
from wushe.charity.adapters.accounts_orm import AccountRecord
from wushe.charity.domain.disbursement import DisbursementRequest
from wushe.charity.domain.donation import Channel
from wushe.charity.domain.restrictions import Restriction, RestrictionKind
from wushe.charity.service_layer.approval import approve_disbursement
from wushe.charity.service_layer.disbursements import request_disbursement
from wushe.charity.service_layer.reconcile import (
    ACCOUNT_BALANCE,
    GOODS_QUANTITY,
    GOODS_VALUE,
    NEGATIVE_HOLDING,
    TIME_BANK,
    UNALLOCATED,
    UNBALANCED_ENTRY,
    Difference,
    reconcile,
)
from wushe.charity.service_layer.reversals import refund
from wushe.shared.unit_of_work import UnitOfWork


async def a_busy_fund(books: Sessions) -> tuple[uuid.UUID, str]:
    """Donations on two channels, one earmarked, a refund and two disbursements."""
    fund = await a_fund(books)
    person = await on_ledger(books)
    earmark = Restriction(kind=RestrictionKind.PERSON, target=person)
    await give(books, fund, 10_000, donor_name="李四")
    await give(books, fund, 3_000, channel=Channel.BANK_TRANSFER, restriction=earmark)
    taken_back = await give(books, fund, 700, anonymous=True)
    await refund(UnitOfWork(books), uuid.UUID(taken_back.id), "捐赠人要求退回", CLERK)
    for request in (
        DisbursementRequest(amount_fen=2_500, purpose="助医", person_id=uuid.UUID(person),
                            restriction=earmark),
        DisbursementRequest(amount_fen=4_000, purpose="修缮", project_id="roof"),
    ):  # fmt: skip
        requested = await request_disbursement(UnitOfWork(books), fund, request, CLERK)
        await approve_disbursement(UnitOfWork(books), uuid.UUID(requested.id), APPROVER)
    async with books() as session:
        code = await session.scalar(text("SELECT code FROM funds WHERE id = :id"),
                                    {"id": str(fund)})  # fmt: skip
    return fund, str(code)


def run_cli(url: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "wushe.cli.main", "charity", "reconcile",
               "--database-url", url]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "COLUMNS": "250"})  # fmt: skip


def url_of(books: Sessions) -> str:
    return str(books.kw["bind"].url.render_as_string(hide_password=False))


async def test_a_clean_book_reconciles(migrated_database: MigratedDatabase) -> None:
    books = await charity_books(migrated_database)
    await a_busy_fund(books)
    steps: list[str] = []
    found = await reconcile(books, lambda step, _done, _total: steps.append(step))
    assert found.clean, found.differences
    # 3 donations, 1 refund, 2 disbursements; every entry two lines.
    assert (found.entries, found.journal_lines) == (6, 12)
    assert steps[-1] == "done" and len(steps) == 6
    answer = await asyncio.to_thread(run_cli, url_of(books))
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "6 journal entries, 12 lines" in answer.stdout


async def test_a_tampered_balance_and_an_unbalanced_entry_are_reported(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund, code = await a_busy_fund(books)
    unbalanced = str(uuid.uuid4())
    async with books() as session:
        holding = await session.scalar(
            text("SELECT id FROM accounts WHERE fund_id = :fund AND code = 'holding'"),
            {"fund": str(fund)},
        )
        bank = await session.scalar(
            text("SELECT id FROM accounts WHERE fund_id = :fund AND code = 'donations:cash'"),
            {"fund": str(fund)},
        )
        # Unrestricted: 10,000 in, 700 in and refunded, 4,000 paid to the roof.
        await session.execute(
            update(AccountRecord).where(AccountRecord.id == holding).values(balance_fen=6_123)
        )
        await session.execute(
            text("INSERT INTO journal_entries (id, fund_id, kind, posted_at, posted_by) "
                 "VALUES (:id, :fund, 'donation', :at, 'intruder')"),
            {"id": unbalanced, "fund": str(fund), "at": datetime.now(UTC)},
        )  # fmt: skip
        await session.execute(
            text("INSERT INTO journal_lines (entry_id, account_id, amount_fen) VALUES "
                 "(:entry, :holding, 50), (:entry, :bank, -43)"),
            {"entry": unbalanced, "holding": holding, "bank": bank},
        )  # fmt: skip
        await session.commit()

    found = await reconcile(books)
    assert set(found.differences) == {
        Difference(ACCOUNT_BALANCE, code, "holding", 6_123, 6_050),
        Difference(ACCOUNT_BALANCE, code, "donations:cash", -10_000, -10_043),
        Difference(UNBALANCED_ENTRY, code, unbalanced, 0, 7),
        Difference(UNALLOCATED, code, "holding", 6_123, 6_000),
    }
    balance = next(d for d in found.differences if d.check == ACCOUNT_BALANCE and d.cached > 0)
    assert balance.difference == 73

    answer = await asyncio.to_thread(run_cli, url_of(books))
    assert answer.returncode == 1, answer.stdout + answer.stderr
    assert "4 differences" in answer.stdout
    for figures in ("6,123", "6,050", "+73", "-10,043", "+43", unbalanced, "-7"):
        assert figures in answer.stdout, figures


async def test_a_negative_holding_account_time_bank_and_goods_are_checked(
    migrated_database: MigratedDatabase,
) -> None:
    books = await charity_books(migrated_database)
    fund, code = await a_busy_fund(books)
    now = datetime.now(UTC)
    async with books() as session:
        holding = await session.scalar(
            text("SELECT id FROM accounts WHERE fund_id = :fund AND code = 'holding'"),
            {"fund": str(fund)},
        )
        # A line posted behind the journal's back, taking the holding account below zero.
        await session.execute(
            text("DELETE FROM journal_lines WHERE account_id = :holding AND amount_fen = 10000"),
            {"holding": holding},
        )
        await session.execute(
            text("INSERT INTO time_bank_accounts (id, holder_kind, region_code, balance_minutes,"
                 " opened_at) VALUES ('volunteer-9', 'volunteer', '420704', 30, :at)"),
            {"at": now},
        )  # fmt: skip
        await session.execute(
            text("INSERT INTO goods_stock (id, station_region, category, description, unit, "
                 "quantity, value_fen) VALUES ('stock-1', '420704001', 'food', '大米', '袋', "
                 "5, 25000)"),
        )  # fmt: skip
        await session.commit()

    found = await reconcile(books)
    assert set(found.differences) >= {
        Difference(ACCOUNT_BALANCE, code, "holding", 6_000, -4_000),
        Difference(NEGATIVE_HOLDING, code, "holding", 6_000, -4_000),
        Difference(TIME_BANK, "420704", "volunteer-9", 30, 0),
        Difference(GOODS_QUANTITY, "420704001", "food 大米 (袋) stock-1", 5, 0),
        Difference(GOODS_VALUE, "420704001", "food 大米 (袋) stock-1", 25_000, 0),
    }
