"""A fund's public monthly statement (公示) as a workbook: the figures on one sheet, in
yuan with two decimals as it is posted on a notice board, the donors on a second."""

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from wushe.charity.service_layer.statements import FundStatement

_YUAN = "#,##0.00"
_CHANNELS = {"cash": "现金", "bank_transfer": "银行转账", "online_campaign": "网络募捐"}
_STATUSES = {"received": "已入账", "refunded": "已退回", "corrected": "已更正"}


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _figures(sheet: Worksheet, statement: FundStatement) -> None:
    sheet.title = "收支公示"
    sheet.append([f"{statement.fund_name}（{statement.fund_code}）{statement.month} 收支公示"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["地区", statement.region_code])
    sheet.append([])
    sheet.append(["项目", "笔数", "金额（元）"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    donations, out = statement.donations_in, statement.disbursed_out
    rows: list[tuple[str, int | None, int]] = [
        ("期初余额", None, statement.opening_balance_fen),
        ("本月捐赠收入", donations.count, donations.total_fen),
        *((f"　其中：{_CHANNELS.get(c.channel, c.channel)}", c.count, c.total_fen)
          for c in donations.by_channel),
        ("本月退回捐赠", statement.reversals.refunds.count, -statement.reversals.refunds.total_fen),
        ("本月更正冲销", statement.reversals.corrections.count,
         -statement.reversals.corrections.total_fen),
        ("本月拨付支出", out.count, -out.total_fen),
        ("　其中：救助个人（不公示姓名）", out.to_persons.count, -out.to_persons.total_fen),
        *((f"　其中：项目 {p.project_id}", p.count, -p.total_fen) for p in out.to_projects),
        ("其他（期初结转）", None, statement.other_movements_fen),
        ("期末余额", None, statement.closing_balance_fen),
    ]  # fmt: skip
    for label, count, fen in rows:
        sheet.append([label, count, _yuan(fen)])
        sheet.cell(sheet.max_row, 3).number_format = _YUAN
    sheet.append([])
    sheet.append(["期初余额 + 收入 − 退回 − 更正 − 支出 + 其他 = 期末余额",
                  "核对一致" if statement.adds_up else "核对不一致"])  # fmt: skip
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 18


def _donors(sheet: Worksheet, statement: FundStatement) -> None:
    sheet.append(["日期", "捐赠人", "金额（元）", "方式", "收据号", "状态"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for line in statement.donors:
        sheet.append([line.received_on.isoformat(), line.donor, _yuan(line.amount_fen),
                      _CHANNELS.get(line.channel, line.channel), line.receipt_number,
                      _STATUSES.get(line.status, line.status)])  # fmt: skip
        sheet.cell(sheet.max_row, 3).number_format = _YUAN
    for column, width in zip("ABCDEF", (12, 24, 14, 12, 26, 10), strict=True):
        sheet.column_dimensions[column].width = width


def statement_workbook(statement: FundStatement) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    _figures(sheet, statement)
    _donors(workbook.create_sheet("捐赠名单"), statement)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
