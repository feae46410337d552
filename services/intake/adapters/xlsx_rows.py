"""The rows of a workbook's first sheet, parsed as they stream out of the zip.

openpyxl's read-only mode streams too, but builds a cell object per value and reads a
100,000-row ledger in about 20 seconds; parsing the sheet's XML with lxml takes a few.
Shared strings are read whole (every reader must: cells refer to them by number), the
sheet itself one row at a time.
"""

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import PurePosixPath

from lxml import etree

from wushe.intake.domain.ledger_cells import Cell

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATIONS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Built-in number formats that show dates (ECMA-376 §18.8.30, with the CJK ones).
_DATE_FORMAT_IDS = {*range(14, 18), 22, *range(27, 37), *range(50, 59)}
_DATE_CODE = re.compile(r"[dmy]", re.IGNORECASE)
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)
_TEXT, _VALUE = f"{MAIN}t", f"{MAIN}v"


class XlsxRows:
    def __init__(self, path: str) -> None:
        self._zip = zipfile.ZipFile(path)
        workbook = self._xml("xl/workbook.xml")
        if workbook is None:
            raise ValueError("not a workbook: xl/workbook.xml is missing")
        self._sheet = self._first_sheet(workbook)
        self._strings = self._shared_strings()
        self._date_styles = self._date_style_indexes()
        self._epoch = _EPOCH_1904 if _uses_1904(workbook) else _EPOCH_1900
        self.last_row = self._last_row()

    def _xml(self, name: str) -> etree._Element | None:
        try:
            with self._zip.open(name) as handle:
                return etree.parse(handle).getroot()
        except KeyError:
            return None

    def _first_sheet(self, workbook: etree._Element) -> str:
        relations = self._xml("xl/_rels/workbook.xml.rels")
        sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
        if relations is None or sheet is None:
            raise ValueError("the workbook has no sheet")
        target = next(
            (
                r.get("Target", "")
                for r in relations.iter(f"{PACKAGE_RELATIONS}Relationship")
                if r.get("Id") == sheet.get(f"{RELATIONS}id")
            ),
            None,
        )
        if not target:
            raise ValueError("the workbook's first sheet has no part")
        return target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))

    def _shared_strings(self) -> list[str]:
        try:
            handle = self._zip.open("xl/sharedStrings.xml")
        except KeyError:
            return []
        strings = []
        with handle:
            for _, item in etree.iterparse(handle, tag=f"{MAIN}si"):
                # Rich-text runs hold the text; phonetic runs (rPh) are annotations.
                strings.append("".join(t.text or "" for t in item.iter(f"{MAIN}t")
                                       if t.getparent().tag != f"{MAIN}rPh"))  # fmt: skip
                item.clear()
        return strings

    def _date_style_indexes(self) -> set[int]:
        styles = self._xml("xl/styles.xml")
        if styles is None:
            return set()
        custom = {
            int(f.get("numFmtId", "0")): _LITERALS.sub("", f.get("formatCode", ""))
            for f in styles.iter(f"{MAIN}numFmt")
        }
        date_formats = _DATE_FORMAT_IDS | {
            i for i, code in custom.items() if _DATE_CODE.search(code)
        }
        cell_formats = styles.find(f"{MAIN}cellXfs")
        if cell_formats is None:
            return set()
        return {
            index for index, xf in enumerate(cell_formats)
            if int(xf.get("numFmtId", "0")) in date_formats
        }  # fmt: skip

    def _last_row(self) -> int | None:
        with self._zip.open(self._sheet) as handle:
            for _, element in etree.iterparse(handle, tag=(f"{MAIN}dimension", f"{MAIN}row")):
                if element.tag == f"{MAIN}row":
                    return None
                last = element.get("ref", "").rpartition(":")[2]
                digits = "".join(ch for ch in last if ch.isdigit())
                return int(digits) if digits else None
        return None

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """(row number, cells) for every row present in the sheet."""
        with self._zip.open(self._sheet) as handle:
            for _, row in etree.iterparse(handle, tag=f"{MAIN}row"):
                yield int(row.get("r", "0")), self._cells(row)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]

    def _cells(self, row: etree._Element) -> list[Cell]:
        cells: list[Cell] = []
        for cell in row:
            reference = cell.get("r")
            if reference is not None:
                position = _column_index(reference.rstrip(_DIGITS))
                if position > len(cells):
                    cells.extend([None] * (position - len(cells)))
            cells.append(self._value(cell))
        return cells

    def _value(self, cell: etree._Element) -> Cell:
        kind = cell.get("t")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in cell.iter(_TEXT))
        raw = None
        for child in cell:
            if child.tag == _VALUE:
                raw = child.text
        if raw is None or kind == "e":
            return None
        if kind == "s":
            return self._strings[int(raw)]
        if kind is not None:  # "str" (a formula's text) or "b" (a boolean)
            return str(raw)
        number = float(raw)
        if self._date_styles and int(cell.get("s", "0")) in self._date_styles:
            moment = self._epoch + timedelta(days=number)
            return moment.date() if number.is_integer() else moment
        return int(number) if number.is_integer() and abs(number) < 1e15 else number


_COLUMN_LETTERS = re.compile(r"[A-Z]+")
_DIGITS = "0123456789"


def _uses_1904(workbook: etree._Element) -> bool:
    properties = workbook.find(f"{MAIN}workbookPr")
    return properties is not None and properties.get("date1904") in ("1", "true")


# Called with the reference's letters (C12 → C): a sheet has few columns, and decoding
# each of its million cells' letters again was a tenth of reading it.
@lru_cache(maxsize=1024)
def _column_index(reference: str) -> int:
    """C12 → 2."""
    letters = _COLUMN_LETTERS.match(reference)
    index = 0
    for character in letters.group() if letters else "":
        index = index * 26 + ord(character) - 64
    return index - 1
