"""One spreadsheet row becomes a registration, or the reasons it cannot, each naming
the row, the column and the field."""

from collections.abc import Sequence
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from wushe.intake.domain.ledger_cells import Cell, CellError
from wushe.intake.domain.ledger_columns import COLUMNS, LedgerColumn
from wushe.intake.domain.person import PersonRegistration


class LedgerLayout:
    """Where each known column sits in the sheet; unknown headers are ignored."""

    def __init__(self, headers: Sequence[object], columns: Sequence[LedgerColumn | None]) -> None:
        self.headers = [str(header or "") for header in headers]
        self.columns = list(columns)
        self._position = {c.field: i for i, c in enumerate(columns) if c is not None}

    def missing(self) -> list[LedgerColumn]:
        return [c for c in COLUMNS if c.required and c.field not in self._position]

    def where(self, row_number: int, field: str) -> str:
        position = self._position.get(field)
        if position is None:
            return f"row {row_number} ({field}) (第{row_number}行)"
        letter = get_column_letter(position + 1)
        return (
            f"row {row_number}, column {letter} {self.headers[position]} ({field}) "
            f"(第{row_number}行{letter}列)"
        )

    def registration(
        self, row_number: int, cells: Sequence[Cell]
    ) -> PersonRegistration | list[str]:
        data: dict[str, Any] = {}
        problems = []
        for column, cell in zip(self.columns, cells, strict=False):
            if column is None or cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            try:
                value = column.parse(cell)
            except CellError as error:
                problems.append(f"{self.where(row_number, column.field)}: {error}")
                continue
            _put(data, column.path, value)
        if problems:
            return problems
        try:
            return PersonRegistration.model_validate(data)
        except ValidationError as error:
            return [self._explain(row_number, detail) for detail in error.errors()]

    def _explain(self, row_number: int, detail: Any) -> str:
        location = [str(part) for part in detail["loc"] if not isinstance(part, int)]
        field = ".".join(location) or "row"
        message = str(detail["msg"]).removeprefix("Value error, ")
        if detail["type"] == "missing":
            message = "required (必填)"
        return f"{self.where(row_number, field)}: {message}"


def _put(data: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value
