"""The monthly dispatch report (月调度表) as a civil-affairs bureau's form lays it out:
a title, the period, a two-row header, one row per region, a total row and the
signature lines, ready to print on one landscape page."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from wushe.ledger.domain.report_figures import CATEGORIES, Period, RegionFigures
from wushe.ledger.domain.timeline_words import yuan_amount

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)

# (group heading over the columns, the columns' own headings)
_HEADINGS: list[tuple[str, list[str]]] = [
    ("序号", []),
    ("地区", []),
    ("在册服务对象（人）", ["合计", *(category.label for category in CATEGORIES)]),
    ("本月新建档（人）", []),
    ("探访（次）", ["本月完成", "逾期未访"]),
    ("个案（个）", ["新开", "结案"]),
    ("活动（场）", []),
    ("服务人次", []),
    ("慈善资金（元）", ["募集", "拨付"]),
    ("慈善物资（元）", ["接收", "发放"]),
    ("社工站（个）", ["建成", "运营", "覆盖率"]),
]


def _values(number: int | str, row: RegionFigures) -> list[object]:
    return [
        number,
        row.region_name,
        row.people,
        *(row.people_by_category.get(category.key, 0) for category in CATEGORIES),
        row.newly_filed,
        row.visits_done,
        row.visits_overdue,
        row.cases_opened,
        row.cases_closed,
        row.activities,
        row.service_times,
        *(
            yuan_amount(fen)
            for fen in (
                row.raised_fen,
                row.disbursed_fen,
                row.goods_received_fen,
                row.goods_given_fen,
            )
        ),
        row.stations_built,
        row.stations_operating,
        "" if row.station_coverage_percent is None else f"{row.station_coverage_percent}%",
    ]


def _header(sheet: Worksheet, first_row: int) -> int:
    column = 1
    for heading, parts in _HEADINGS:
        span = max(len(parts), 1)
        sheet.cell(first_row, column, heading)
        if parts:
            sheet.merge_cells(
                start_row=first_row, start_column=column,
                end_row=first_row, end_column=column + span - 1,
            )  # fmt: skip
            for offset, part in enumerate(parts):
                sheet.cell(first_row + 1, column + offset, part)
        else:
            sheet.merge_cells(
                start_row=first_row, start_column=column, end_row=first_row + 1, end_column=column
            )
        column += span
    return column - 1


def dispatch_workbook(
    title_region: str, period: Period, rows: list[RegionFigures], total: RegionFigures
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"{period.start:%Y年%m月}"
    width = sum(max(len(parts), 1) for _, parts in _HEADINGS)
    last = get_column_letter(width)

    sheet["A1"] = f"{title_region}社会工作服务站（五社联动）工作月调度表"
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = _CENTRE
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 30
    sheet["A2"] = (
        f"统计期间：{period.start.year}年{period.start.month}月{period.start.day}日至"
        f"{period.end.year}年{period.end.month}月{period.end.day}日"
    )
    sheet.merge_cells(f"A2:{get_column_letter(width - 3)}2")
    sheet.cell(2, width - 2, "单位：人、次、场、元、个")
    sheet.merge_cells(start_row=2, start_column=width - 2, end_row=2, end_column=width)

    _header(sheet, 3)
    for number, row in enumerate(rows, start=1):
        sheet.append(_values(number, row))
    sheet.append(_values("", total))
    sheet.cell(sheet.max_row, 2, "合计")
    body_end = sheet.max_row
    for row_number in range(3, body_end + 1):
        for column in range(1, width + 1):
            cell = sheet.cell(row_number, column)
            cell.border = _BOX
            cell.alignment = _CENTRE
            if row_number <= 4 or row_number == body_end:
                cell.font = Font(bold=True)

    sheet.append([])
    sheet.append(
        ["填报单位（盖章）：", "", "", "", "填报人：", "", "", "联系电话：", "", "", "审核人："]
    )
    sheet.append(
        [
            "注：月调度数据请于每月25日前报送；在册人数、社工站数为统计期末数；"
            "覆盖率为运营社工站覆盖乡镇（街道）的比例。"
        ]
    )

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 18
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 10
    sheet.row_dimensions[3].height = 24
    sheet.row_dimensions[4].height = 36
    sheet.freeze_panes = "C5"
    sheet.print_title_rows = "3:4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
