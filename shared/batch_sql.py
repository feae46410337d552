"""A batch's keys and rows in statements whose text does not grow with the batch.

On PostgreSQL a batch's keys travel as one array (``= ANY($1)``) and its rows as one
JSON document (``INSERT ... SELECT ... FROM json_to_recordset($1)``): a statement of one
parameter, compiled once, prepared once per connection and executed once. The portable
forms, ``IN (...)`` with a parameter per key and one INSERT per row, are rendered again
for every batch (SQLAlchemy expands the list each time) and executed row by row. The
rows go as JSON rather than as an array per column because the driver checks every
element of an array in Python, which costs more than writing the document with orjson.
SQLite takes the keys as one JSON text (``json_each``); its rows, written in process,
keep the portable INSERT.
"""

from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from wushe.shared.db import json_text


def _on_postgresql(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


def member_of(
    session: AsyncSession,
    column: ColumnElement[Any] | QueryableAttribute[Any],
    values: Collection[Any],
) -> ColumnElement[bool]:
    """``column IN values``: on PostgreSQL ``column = ANY(:keys)``, on SQLite ``column IN
    (SELECT value FROM json_each(:keys))``, the keys bound as one array or JSON text."""
    # A distinct name per column: two such conditions can share one statement.
    name = f"keys_{column.key}"
    if _on_postgresql(session):
        return column == any_(bindparam(name, list(values), type_=postgresql.ARRAY(column.type)))
    keys = bindparam(name, json_text(list(values)), type_=Text)
    return column.in_(select(func.json_each(keys).table_valued("value").c.value))


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, covering every column without a server
    default) into ``table``. On PostgreSQL the values travel as JSON written by orjson:
    text, numbers, dates, datetimes with their zone, UUIDs and JSON documents."""
    if not rows:
        return
    if _on_postgresql(session):
        await session.execute(*recordset_insert(table, rows))
    else:
        await session.execute(insert(table), list(rows))


def recordset_insert(
    table: Table, rows: Sequence[dict[str, Any]]
) -> tuple[postgresql.Insert, dict[str, Any]]:
    """PostgreSQL's ``INSERT INTO table (columns) SELECT ... FROM json_to_recordset(:rows)
    AS rows(column type, ...)`` for ``rows`` (at least one), and its one parameter, the
    rows as a JSON document. The statement can carry ``on_conflict_do_nothing``."""
    columns = tuple(rows[0])
    documents = _json_columns(table, columns)
    if documents:
        # A JSON column's value travels as its text, so that a document that is JSON's
        # null stays distinct from SQL's NULL.
        rows = [
            {**row, **{name: _document_text(kind, row[name]) for name, kind in documents.items()}}
            for row in rows
        ]
    return _recordset_insert(table, columns), {"rows": rows}


@cache
def _json_columns(table: Table, columns: tuple[str, ...]) -> dict[str, JSON]:
    return {name: kind for name in columns if isinstance(kind := table.c[name].type, JSON)}


@cache
def _recordset_insert(table: Table, columns: tuple[str, ...]) -> postgresql.Insert:
    documents = _json_columns(table, columns)
    records = (
        func.json_to_recordset(bindparam("rows", type_=JSON))
        .table_valued(
            *(column(name, Text if name in documents else table.c[name].type) for name in columns)
        )
        .render_derived(with_types=True)
    )
    values = [
        cast(records.c[name], table.c[name].type) if name in documents else records.c[name]
        for name in columns
    ]
    return postgresql.insert(table).from_select(list(columns), select(*values))


def _document_text(kind: JSON, value: Any) -> str | None:
    # As SQLAlchemy binds it: None is JSON's null unless the column says SQL's NULL.
    return None if value is None and kind.none_as_null else json_text(value)
