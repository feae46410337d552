"""Two ledger databases compared table by table, row by row, as values.

Every table of the ledger's metadata is compared, so a table added by a new projector is
covered without being named here; the outbox and the processed-event record say how the
rows came about, not what the ledger knows, and are left out. Rows are read in primary-
key order from both databases at once and merged, so large tables are never held whole.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from wushe.shared.db import create_engine
from wushe.shared.messaging_tables import messaging_metadata

# A table's differences beyond this many are counted but not kept.
EXAMPLES_PER_TABLE = 20

Key = tuple[Any, ...]
Row = dict[str, Any]


@dataclass(frozen=True)
class RowDifference:
    """``missing``: only in the expected database; ``extra``: only in the other one."""

    kind: Literal["changed", "missing", "extra"]
    key: Key
    expected: Row | None
    found: Row | None

    @property
    def columns(self) -> list[str]:
        """The columns whose values differ (all of them for a missing or extra row)."""
        if self.expected is None or self.found is None:
            return list(self.expected or self.found or {})
        return [name for name, value in self.expected.items() if self.found.get(name) != value]


@dataclass
class TableComparison:
    table: str
    expected_rows: int = 0
    found_rows: int = 0
    changed: int = 0
    missing: int = 0
    extra: int = 0
    examples: list[RowDifference] = field(default_factory=list)

    @property
    def differences(self) -> int:
        return self.changed + self.missing + self.extra

    def note(self, difference: RowDifference) -> None:
        setattr(self, difference.kind, getattr(self, difference.kind) + 1)
        if len(self.examples) < EXAMPLES_PER_TABLE:
            self.examples.append(difference)


def ledger_tables() -> list[Table]:
    """Every table the ledger's models declare, without the messaging tables."""
    # The composition root imports every module that declares a table.
    from wushe.ledger import bootstrap  # noqa: F401
    from wushe.ledger.adapters.orm import metadata

    messaging = set(messaging_metadata.tables)
    return [table for table in metadata.sorted_tables if table.name not in messaging]


async def compare_databases(
    expected_url: str, found_url: str, tables: Sequence[Table] | None = None
) -> list[TableComparison]:
    """One comparison per table, in the tables' dependency order."""
    expected_engine, found_engine = create_engine(expected_url), create_engine(found_url)
    try:
        async with expected_engine.connect() as expected, found_engine.connect() as found:
            return [
                await compare_table(expected, found, table)
                for table in (tables if tables is not None else ledger_tables())
            ]
    finally:
        await expected_engine.dispose()
        await found_engine.dispose()


async def compare_table(
    expected: AsyncConnection, found: AsyncConnection, table: Table
) -> TableComparison:
    comparison = TableComparison(table.name)
    expected_rows, found_rows = _rows(expected, table), _rows(found, table)
    want, have = await anext(expected_rows, None), await anext(found_rows, None)
    while want is not None or have is not None:
        if have is None or (want is not None and want[0] < have[0]):
            assert want is not None
            comparison.note(RowDifference("missing", want[0], want[1], None))
            comparison.expected_rows += 1
            want = await anext(expected_rows, None)
        elif want is None or have[0] < want[0]:
            comparison.note(RowDifference("extra", have[0], None, have[1]))
            comparison.found_rows += 1
            have = await anext(found_rows, None)
        else:
            if want[1] != have[1]:
                comparison.note(RowDifference("changed", want[0], want[1], have[1]))
            comparison.expected_rows += 1
            comparison.found_rows += 1
            want, have = await anext(expected_rows, None), await anext(found_rows, None)
    return comparison


async def _rows(connection: AsyncConnection, table: Table) -> AsyncIterator[tuple[Key, Row]]:
    key_columns = list(table.primary_key.columns) or list(table.columns)
    ordering = [_in_code_point_order(connection, column) for column in key_columns]
    result = await connection.stream(select(table).order_by(*ordering))
    async for row in result.mappings():
        values = {name: normalised(value) for name, value in row.items()}
        yield tuple(values[column.name] for column in key_columns), values


def _in_code_point_order(connection: AsyncConnection, column: Any) -> ColumnElement[Any]:
    """Both databases must return rows in the order Python compares the keys: SQLite
    compares text by bytes, PostgreSQL by its locale unless told to use "C"."""
    if connection.dialect.name == "postgresql" and isinstance(column.type, String):
        return column.collate("C")  # type: ignore[no-any-return]
    return column  # type: ignore[no-any-return]


def normalised(value: Any) -> Any:
    """A value as both databases mean it: SQLite returns datetimes without their zone,
    which the ledger always writes in UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value
