"""Public monthly statements (公示) of funds and campaigns: readable without a token, as
transparency asks; they carry no personal data."""

from uuid import UUID

from fastapi import APIRouter, Response

from wushe.charity.adapters.statement_workbook import statement_workbook
from wushe.charity.domain.refusals import Invalid
from wushe.charity.domain.statement_month import StatementMonth
from wushe.charity.entrypoints.refusal_route import RefusalRoute
from wushe.charity.service_layer.statements import FundStatement, monthly_statement
from wushe.shared.http import RuntimeDep

router = APIRouter(prefix="/funds", tags=["statements"], route_class=RefusalRoute)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Declared before the JSON route, whose {month} would otherwise take "2026-09.xlsx".
@router.get(
    "/{fund_id}/statements/{month}.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="A fund's public monthly statement as a workbook (no token needed)",
)
async def statement_xlsx(fund_id: UUID, month: str, runtime: RuntimeDep) -> Response:
    statement = await _statement(fund_id, month, runtime)
    filename = f"statement-{statement.fund_code}-{statement.month}.xlsx"
    return Response(
        statement_workbook(statement),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/{fund_id}/statements/{month}",
    response_model=FundStatement,
    summary="A fund's public monthly statement (no token needed)",
)
async def statement_json(fund_id: UUID, month: str, runtime: RuntimeDep) -> FundStatement:
    """Opening balance, donations in (by channel), refunds and corrections, money paid
    out (to persons counted, to projects named), the closing balance checked against
    them, and the month's donors, "匿名" for those who asked. Months are China's (UTC+8);
    amounts are integer fen."""
    return await _statement(fund_id, month, runtime)


async def _statement(fund_id: UUID, month: str, runtime: RuntimeDep) -> FundStatement:
    try:
        period = StatementMonth.parse(month)
    except ValueError as error:
        raise Invalid(f"{error} / 月份格式应为 YYYY-MM", field="month") from None
    async with runtime.snapshot() as session:
        return await monthly_statement(session, fund_id, period, runtime.settings.field_cipher())
