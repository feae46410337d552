"""Reading station ledgers (.xlsx, .csv) a row at a time, and writing workbooks back:
the rejected rows with their reasons, and the templates.

Files are streamed: workbooks are parsed a row at a time (xlsx_rows), written with
openpyxl's write-only mode, and CSV is read line by line, in UTF-8 or, as Excel in China
saves it, GB18030.
"""

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wushe.intake.adapters.xlsx_rows import XlsxRows
from wushe.intake.domain.ledger_cells import Cell
from wushe.intake.domain.ledger_columns import LedgerColumn, column_for

HEADER_SEARCH_ROWS = 10
ERROR_HEADER = "错误原因 / error"


class UnreadableLedger(ValueError):
    """The file is not a ledger this importer can read; the message says why."""


NumberedRows = Iterator[tuple[int, Sequence[Cell]]]


@dataclass
class LedgerSheet:
    headers: list[object]
    columns: list[LedgerColumn | None]
    header_row: int
    rows_total: int | None
    _rows: NumberedRows

    def rows(self) -> NumberedRows:
        """(row number as the spreadsheet shows it, cells), skipping empty rows."""
        for number, cells in self._rows:
            if any(cell is not None and str(cell).strip() for cell in cells):
                yield number, cells


def open_ledger(path: Path) -> LedgerSheet:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _with_header(enumerate(_csv_rows(path), start=1), _count_lines(path))
    if suffix in (".xlsx", ".xlsm"):
        try:
            workbook = XlsxRows(str(path))
        except (zipfile.BadZipFile, ValueError, etree.XMLSyntaxError) as error:
            raise UnreadableLedger(
                f"not a readable .xlsx workbook: {error} (无法读取Excel文件)"
            ) from None
        return _with_header(workbook.rows(), workbook.last_row)
    raise UnreadableLedger(
        f"{path.name}: only .xlsx and .csv ledgers can be imported (仅支持xlsx和csv)"
    )


def _with_header(rows: NumberedRows, last_row: int | None) -> LedgerSheet:
    """The header is the first row naming at least two known columns: ledgers often
    start with a title row such as 凤凰街道独居老人台账."""
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        columns = [column_for(cell) for cell in cells]
        if sum(column is not None for column in columns) >= 2:
            total = None if last_row is None else max(0, last_row - number)
            return LedgerSheet(list(cells), columns, number, total, rows)
    raise UnreadableLedger(
        f"no header row among the first {HEADER_SEARCH_ROWS} rows: expected headers such as "
        "姓名, 身份证号, 现居住地区划代码, 人员类别 (前10行中未找到表头，请使用导入模板)"
    )


def _encoding(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if error.start < len(head) - 3:
            return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[Sequence[Cell]]:
    with path.open(encoding=_encoding(path), newline="") as handle:
        yield from csv.reader(handle)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


class RejectedRows:
    """The rows that were refused, as they were, with the reasons in a last column, so a
    clerk can correct them and import the file again."""

    def __init__(self, path: Path, headers: Sequence[object]) -> None:
        self.path = path
        self.count = 0
        self._headers = list(headers)
        self._workbook: Workbook | None = None
        self._sheet: Any = None

    def add(self, cells: Sequence[Cell], reasons: Sequence[str]) -> None:
        if self._workbook is None:
            # Created on the first refusal: a write-only workbook must be saved once begun.
            self._workbook = Workbook(write_only=True)
            self._sheet = self._workbook.create_sheet("未导入 rejected")
            self._sheet.append([*self._headers, ERROR_HEADER])
        # Sheets leave out trailing empty cells: pad so the reasons land in their column.
        padding = [None] * (len(self._headers) - len(cells))
        self._sheet.append([*cells, *padding, "；\n".join(reasons)])
        self.count += 1

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.save(self.path)


def template_workbook(kind: str, columns: Sequence[LedgerColumn], example: dict[str, Any]) -> bytes:
    """A ledger template: the headers (required ones starred), an example row, and a
    sheet that explains every column."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "台账"
    sheet.append([("*" if c.required else "") + c.header for c in columns])
    sheet.append([example.get(c.field, "") for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, 2 * len(column.header) + 4
        )
        sheet.cell(2, index).number_format = "@"
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "字段", "是否必填", "说明"])
    for column in columns:
        notes.append([column.header, column.field, "必填" if column.required else "", column.note])
    notes.append([])
    notes.append(
        [f"模板类型: {kind}。第一行为表头，可保留标题行；列的顺序可以调整，未知的列会被忽略。"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
