"""A bulk insert's values are what the column types' own converters make of them, also
when rows repeat a value or hold values equal in Python but written differently."""

from datetime import UTC, date, datetime

from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, Table

from wushe.shared.bulk_insert import bulk_insert, dialect_for

TABLE = Table(
    "bulk_insert_values", MetaData(),
    Column("id", Integer, primary_key=True), Column("day", Date),
    Column("at", DateTime(timezone=True)), Column("document", JSON),
)  # fmt: skip
ROWS = [
    {"id": 1, "day": date(2026, 1, 2), "at": datetime(2026, 1, 2, tzinfo=UTC), "document": [1]},
    {"id": 2, "day": date(2026, 1, 2), "at": datetime(2026, 1, 3, tzinfo=UTC),
     "document": [True]},
    {"id": 3, "day": date(2026, 1, 3), "at": datetime(2026, 1, 2, tzinfo=UTC),
     "document": {"a": "x", "b": "y"}},
    {"id": 4, "day": None, "at": None, "document": {"b": "y", "a": "x"}},
    {"id": 5, "day": date(2026, 1, 2), "at": None, "document": ["a", "b"]},
    {"id": 6, "day": date(2026, 1, 2), "at": None, "document": ["a", "b"]},
    {"id": 7, "day": None, "at": None, "document": "a"},
    {"id": 8, "day": None, "at": None, "document": ["a"]},
    {"id": 9, "day": None, "at": None, "document": {"a": ["x"]}},
]  # fmt: skip


def test_values_are_converted_as_the_column_types_convert_them() -> None:
    for driver in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        dialect = dialect_for(driver)
        insert = bulk_insert(TABLE, tuple(ROWS[0]), driver)
        for row in ROWS:
            expected = []
            for key in insert.keys:
                process = TABLE.c[key].type.dialect_impl(dialect).bind_processor(dialect)
                expected.append(process(row[key]) if process else row[key])
            assert insert.parameters(row) == tuple(expected), (driver, row)
