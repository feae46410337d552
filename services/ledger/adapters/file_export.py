"""One person's file as a printable workbook: the file's particulars, then everything
on its timeline, its cases and its visits, in the order a station's archive keeps them."""

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from wushe.ledger.adapters.case_orm import CaseRecord
from wushe.ledger.adapters.orm import LedgerFileRecord, TimelineEntryRecord
from wushe.ledger.adapters.visit_orm import VisitRecord
from wushe.ledger.domain.timeline_words import detail_words, event_words
from wushe.shared.divisions.current import name_of
from wushe.shared.events.cases import CASE_KIND_NAMES, CLOSING_REASON_NAMES, RISK_NAMES
from wushe.shared.events.groups import OFFICIAL_NAMES
from wushe.shared.events.names import name_in
from wushe.shared.events.visits import CRISIS_KIND_NAMES, SERVICE_KIND_NAMES, VISITOR_KIND_NAMES

CHINA = ZoneInfo("Asia/Shanghai")
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(vertical="top", wrap_text=True)
_STATUS = {"open": "在档", "merged": "已合并", "closed": "已关闭"}
_SEX = {"male": "男", "female": "女"}
_STAGES = {"intake": "接案", "assessment": "预估", "planning": "制定计划",
           "intervention": "介入", "evaluation": "评估", "closed": "结案"}  # fmt: skip
_WIDTHS = {"A": 6, "B": 18, "C": 20, "D": 16, "E": 24, "F": 60, "G": 34}


def _region(code: str | None) -> str:
    if not code:
        return ""
    name = name_of(code)
    return f"{name}（{code}）" if name else code


def _local(instant: datetime) -> str:
    return instant.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _table(sheet: Worksheet, title: str, headings: list[str], rows: list[list[object]]) -> None:
    sheet.append([])
    sheet.append([title])
    sheet.cell(sheet.max_row, 1).font = Font(size=12, bold=True)
    sheet.append(headings)
    first = sheet.max_row
    for row in rows:
        sheet.append(row)
    for number in range(first, sheet.max_row + 1):
        for column in range(1, len(headings) + 1):
            cell = sheet.cell(number, column)
            cell.border = _BOX
            cell.alignment = _WRAP
            if number == first:
                cell.font = Font(bold=True)
    if not rows:
        sheet.append(["（无）"])


def file_workbook(
    record: LedgerFileRecord,
    entries: Sequence[TimelineEntryRecord],
    cases: Sequence[CaseRecord],
    visits: Sequence[VisitRecord],
    printed_at: datetime,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "一人一档"
    sheet.append(["服务对象档案（一人一档）"])
    sheet["A1"].font = Font(size=16, bold=True)
    sheet.merge_cells("A1:G1")
    sheet.append([f"打印时间：{_local(printed_at)}　密级：内部，仅限工作使用（保密管理制度）"])
    sheet.merge_cells("A2:G2")

    particulars: list[tuple[str, str]] = [
        ("档案编号", record.id),
        ("服务对象编号", record.person_id),
        ("档案状态", _STATUS.get(record.status, record.status)
         + (f"，并入 {record.merged_into}" if record.merged_into else "")
         + (f"，{record.died_on} 死亡" if record.died_on else "")),
        ("服务对象类别", "、".join(name_in(OFFICIAL_NAMES, group) for group in record.groups)),
        ("性别", _SEX.get(record.sex or "", "未登记")),
        ("年龄段", record.age_band or "未登记"),
        ("现居住地（档案所在地）", _region(record.region_code)),
        ("户籍地", _region(record.household_region)),
        ("建档站点", _region(record.station_region)),
        ("建档时间", _local(record.opened_at)),
    ]  # fmt: skip
    for label, value in particulars:
        sheet.append(["", label, value])
        sheet.merge_cells(start_row=sheet.max_row, start_column=3, end_row=sheet.max_row,
                          end_column=7)  # fmt: skip
        sheet.cell(sheet.max_row, 2).font = Font(bold=True)

    _table(
        sheet, "档案记录",
        ["序号", "时间", "事项", "经办", "地区", "内容", "追踪号"],
        [[number, _local(entry.occurred_at), event_words(entry.event_type),
          entry.actor or entry.source, _region(entry.region_code), detail_words(entry.details),
          entry.trace_id or ""]
         for number, entry in enumerate(entries, start=1)],
    )  # fmt: skip
    _table(
        sheet, "个案",
        ["序号", "个案类别", "阶段", "风险等级", "责任社工", "开案 / 结案", "结案原因"],
        [[number, name_in(CASE_KIND_NAMES, case.kind), _STAGES.get(case.stage, case.stage),
          name_in(RISK_NAMES, case.risk_level), case.social_worker,
          _local(case.opened_at) + (f" / {_local(case.closed_at)}" if case.closed_at else ""),
          name_in(CLOSING_REASON_NAMES, case.closing_reason) if case.closing_reason else ""]
         for number, case in enumerate(cases, start=1)],
    )  # fmt: skip
    _table(
        sheet, "探访记录",
        ["序号", "日期", "探访人", "服务内容", "需跟进", "危机情况", "地区"],
        [[number, visit.visited_on.isoformat(),
          f"{visit.visitor or ''}（{name_in(VISITOR_KIND_NAMES, visit.visitor_kind)}）",
          "、".join(name_in(SERVICE_KIND_NAMES, service) for service in visit.services),
          "是" if visit.follow_up_needed else "否",
          name_in(CRISIS_KIND_NAMES, visit.crisis_kind) if visit.crisis_kind else "无",
          _region(visit.region_code)]
         for number, visit in enumerate(visits, start=1)],
    )  # fmt: skip

    for column, width in _WIDTHS.items():
        sheet.column_dimensions[column].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if sheet.oddFooter is not None:
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
