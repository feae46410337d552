"""Public monthly statements (公示) over HTTP without a token, on SQLite and PostgreSQL:
the figures add up to the journal's closing balance, donors who asked for anonymity stay
anonymous everywhere in the answer, persons paid are counted but never identified, a month
without movements carries its balance, and a malformed month is refused naming it."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from integration.charity_books import (
    APPROVER,
    CHARITY,
    CLERK,
    a_fund,
    charity_books,
    give,
    on_ledger,
)
from integration.conftest import MigratedDatabase, Sessions
from integration.in_process_api import serving
from wushe.charity.bootstrap import MIGRATIONS
from wushe.charity.domain.disbursement import DisbursementRequest
from wushe.charity.domain.donation import Channel
from wushe.charity.domain.funds import FundKind, FundStatus
from wushe.charity.domain.restrictions import Restriction, RestrictionKind
from wushe.charity.domain.statement_month import CHINA, StatementMonth
from wushe.charity.entrypoints.statements import router as statements_router
from wushe.charity.service_layer.approval import approve_disbursement
from wushe.charity.service_layer.disbursements import request_disbursement
from wushe.charity.service_layer.funds import advance_campaign
from wushe.charity.service_layer.reversals import refund
from wushe.shared.unit_of_work import UnitOfWork

SEALED_NAME = "欧阳隐名"


class Public:
    def __init__(self, client: httpx.AsyncClient, books: Sessions) -> None:
        self.client = client
        self.books = books

    async def get(self, path: str, expect: int = 200) -> httpx.Response:
        response = await self.client.get(path)  # no Authorization header: public
        assert response.status_code == expect, response.text
        return response


@pytest.fixture
async def public(migrated_database: MigratedDatabase, tmp_path: Path) -> AsyncIterator[Public]:
    books = await charity_books(migrated_database)
    routers = (statements_router,)
    async with serving("charity", MIGRATIONS, books, routers, tmp_path) as (client, _):
        yield Public(client, books)


def months_now() -> tuple[StatementMonth, StatementMonth, StatementMonth]:
    """Last month, this month and next month, in China."""
    today = datetime.now(CHINA)
    this = StatementMonth(today.year, today.month)
    last = StatementMonth(today.year - (today.month == 1), (today.month - 2) % 12 + 1)
    following = StatementMonth(today.year + (today.month == 12), today.month % 12 + 1)
    return last, this, following


async def backdate(books: Sessions, donation_id: str, month: StatementMonth) -> None:
    """As if the donation had been received in the middle of ``month``."""
    moment = datetime(month.year, month.month, 15, 4, tzinfo=UTC)
    async with books() as session:
        await session.execute(
            text("UPDATE journal_entries SET posted_at = :at WHERE id = "
                 "(SELECT entry_id FROM donations WHERE id = :donation)"),
            {"at": moment, "donation": donation_id},
        )  # fmt: skip
        await session.execute(
            text("UPDATE donations SET received_at = :at WHERE id = :donation"),
            {"at": moment, "donation": donation_id},
        )
        await session.commit()


async def pay(books: Sessions, fund: uuid.UUID, request: DisbursementRequest) -> None:
    requested = await request_disbursement(UnitOfWork(books), fund, request, CLERK)
    await approve_disbursement(UnitOfWork(books), uuid.UUID(requested.id), APPROVER)


async def test_a_months_figures_add_up_and_anonymous_donors_stay_anonymous(
    public: Public,
) -> None:
    books = public.books
    last, this, _ = months_now()
    fund = await a_fund(books, kind=FundKind.CAMPAIGN, goal_fen=1_000_000)
    await advance_campaign(UnitOfWork(books), fund, FundStatus.LAUNCHED, caller=APPROVER.caller,
                           producer=CHARITY)  # fmt: skip
    person = await on_ledger(books)
    earmark = Restriction(kind=RestrictionKind.PERSON, target=person)
    earlier = await give(books, fund, 10_000, donor_name="王五")
    await backdate(books, earlier.id, last)
    await give(books, fund, 3_000, donor_name=SEALED_NAME, anonymous=True,
               channel=Channel.BANK_TRANSFER, restriction=earmark)  # fmt: skip
    named = await give(books, fund, 500, donor_name="李四")
    await give(books, fund, 800, channel=Channel.ONLINE_CAMPAIGN, anonymous=True)
    await refund(UnitOfWork(books), uuid.UUID(named.id), "捐赠人要求退回", CLERK)
    await pay(
        books,
        fund,
        DisbursementRequest(
            amount_fen=2_000, purpose="助医", person_id=uuid.UUID(person), restriction=earmark
        ),
    )
    await pay(books, fund, DisbursementRequest(amount_fen=1_500, purpose="修缮",
                                               project_id="xingfu-jiayuan-017"))  # fmt: skip

    response = await public.get(f"/funds/{fund}/statements/{this}")
    body = response.text
    assert SEALED_NAME not in body and person not in body
    statement: dict[str, Any] = response.json()
    assert statement["opening_balance_fen"] == 10_000
    assert statement["donations_in"]["count"] == 3
    assert statement["donations_in"]["total_fen"] == 4_300
    by_channel = {c["channel"]: (c["count"], c["total_fen"])
                  for c in statement["donations_in"]["by_channel"]}  # fmt: skip
    assert by_channel == {"cash": (1, 500), "bank_transfer": (1, 3_000),
                          "online_campaign": (1, 800)}  # fmt: skip
    assert statement["reversals"]["refunds"] == {"count": 1, "total_fen": 500}
    assert statement["reversals"]["corrections"] == {"count": 0, "total_fen": 0}
    out = statement["disbursed_out"]
    assert out["to_persons"] == {"count": 1, "total_fen": 2_000}
    assert out["to_projects"] == [
        {"project_id": "xingfu-jiayuan-017", "count": 1, "total_fen": 1_500}
    ]
    assert (out["count"], out["total_fen"]) == (2, 3_500)
    assert statement["closing_balance_fen"] == 10_000 + 4_300 - 500 - 3_500 == 10_300
    assert statement["adds_up"] is True
    donors = [(line["donor"], line["amount_fen"], line["status"]) for line in statement["donors"]]
    assert donors == [("匿名", 3_000, "received"), ("李四", 500, "refunded"),
                      ("匿名", 800, "received")]  # fmt: skip
    async with books() as session:
        held = await session.scalar(
            text("SELECT SUM(balance_fen) FROM accounts WHERE fund_id = :f AND holding"),
            {"f": str(fund)},
        )
    assert held == statement["closing_balance_fen"]

    before = (await public.get(f"/funds/{fund}/statements/{last}")).json()
    assert (before["opening_balance_fen"], before["closing_balance_fen"]) == (0, 10_000)
    assert [line["donor"] for line in before["donors"]] == ["王五"]

    xlsx = await public.get(f"/funds/{fund}/statements/{this}.xlsx")
    workbook = load_workbook(BytesIO(xlsx.content))
    rows = [row for sheet in workbook for row in sheet.iter_rows(values_only=True)]
    cells = [str(cell) for row in rows for cell in row if cell is not None]
    assert not any(SEALED_NAME in cell or person in cell for cell in cells)
    figures = {row[0]: row[1:3] for row in workbook["收支公示"].iter_rows(values_only=True)}
    assert figures["期初余额"][1] == 100 and figures["期末余额"][1] == 103
    assert figures["本月捐赠收入"] == (3, 43) and figures["本月拨付支出"] == (2, -35)
    assert "核对一致" in cells
    listed = [row[1] for row in workbook["捐赠名单"].iter_rows(min_row=2, values_only=True)]
    assert listed == ["匿名", "李四", "匿名"]


async def test_a_month_without_movements_carries_its_balance(public: Public) -> None:
    *_, following = months_now()
    fund = await a_fund(public.books)
    await give(public.books, fund, 2_500, donor_name="李四")
    quiet = (await public.get(f"/funds/{fund}/statements/{following}")).json()
    assert quiet["opening_balance_fen"] == quiet["closing_balance_fen"] == 2_500
    assert quiet["donations_in"]["count"] == quiet["disbursed_out"]["count"] == 0
    assert quiet["donors"] == [] and quiet["adds_up"] is True
    never = (await public.get(f"/funds/{fund}/statements/2020-01")).json()
    assert never["opening_balance_fen"] == never["closing_balance_fen"] == 0
    assert never["donations_in"]["by_channel"][0] == {"channel": "cash", "count": 0,
                                                      "total_fen": 0}  # fmt: skip
    sheet = load_workbook(BytesIO((await public.get(f"/funds/{fund}/statements/2020-01.xlsx"))
                                  .content)).active  # fmt: skip
    assert sheet is not None and "2020-01" in str(sheet["A1"].value)


@pytest.mark.parametrize("month", ["2026-13", "november", "2026-09.csv"])
async def test_a_malformed_month_is_refused_naming_it(public: Public, month: str) -> None:
    fund = await a_fund(public.books)
    refused = (await public.get(f"/funds/{fund}/statements/{month}", expect=422)).json()
    assert refused["detail"]["field"] == "month" and "YYYY-MM" in refused["detail"]["message"]
    unknown = (await public.get(f"/funds/{uuid.uuid4()}/statements/2026-09", expect=404)).json()
    assert unknown["detail"]["field"] == "fund_id"
