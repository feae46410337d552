"""A batch's keys and rows in statements whose text does not grow with the batch.

On PostgreSQL a batch's keys travel as one array (``= ANY($1)``) and its rows as one
JSON document (``INSERT ... SELECT ... FROM json_to_recordset($1)``, and ``UPDATE ...
FROM json_to_recordset($1)`` for rows changed by their primary key): a statement of one
parameter, compiled once, prepared once per connection and executed once. The portable
forms, ``IN (...)`` with a parameter per key and one INSERT or UPDATE per row, are
rendered again for every batch (SQLAlchemy expands the list each time) and executed row
by row. The
rows go as JSON rather than as an array per column because the driver checks every
element of an array in Python, which costs more than writing the document with orjson.
SQLite takes the keys as one JSON text (``json_each``); its rows, written in process,
keep the portable INSERT.
"""

from collections.abc import Callable, Collection, Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    ColumnElement,
    Insert,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from wushe.shared.db import json_text

_I = TypeVar("_I", bound=Insert)


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
        texts, documents = _as_documents(table, rows)
        # The portable INSERT, whose compiled form SQLAlchemy caches; its PostgreSQL-only
        # form is compiled again for every batch.
        statement = _recordset_insert(table, tuple(rows[0]), texts, insert)
        await session.execute(statement, {"rows": documents})
    else:
        await session.execute(insert(table), list(rows))


async def update_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Set the columns of ``rows`` (dicts with the same keys: the table's primary key and
    the columns to set) in the rows of ``table`` with that key, in one statement."""
    if not rows:
        return
    columns = tuple(rows[0])
    if _on_postgresql(session):
        texts, documents = _as_documents(table, rows)
        await session.execute(_recordset_update(table, columns, texts), {"rows": documents})
    else:
        await session.execute(_keyed_update(table, columns), [
            {_KEY_PREFIX + name if table.c[name].primary_key else name: value
             for name, value in row.items()}
            for row in rows
        ])  # fmt: skip


_KEY_PREFIX = "key_"


@cache
def _keyed_update(table: Table, columns: tuple[str, ...]) -> Any:
    """The portable UPDATE of one row by its primary key, for ``executemany``."""
    keys = [name for name in columns if table.c[name].primary_key]
    return (
        update(table)
        .where(*(table.c[name] == bindparam(_KEY_PREFIX + name) for name in keys))
        .values({name: bindparam(name) for name in columns if name not in keys})
    )


@cache
def _recordset_update(table: Table, columns: tuple[str, ...], texts: tuple[str, ...]) -> Any:
    records = _recordset(table, columns, texts)
    keys = [name for name in columns if table.c[name].primary_key]
    return (
        update(table)
        .where(*(table.c[name] == records.c[name] for name in keys))
        .values({name: value for name, value in _values(table, records, columns, texts).items()
                 if name not in keys})
    )  # fmt: skip


def recordset_insert(
    table: Table, rows: Sequence[dict[str, Any]]
) -> tuple[postgresql.Insert, dict[str, Any]]:
    """PostgreSQL's ``INSERT INTO table (columns) SELECT ... FROM json_to_recordset(:rows)
    AS rows(column type, ...)`` for ``rows`` (at least one), and its one parameter, the
    rows as a JSON document. The statement can carry ``on_conflict_do_nothing``, and for
    that is compiled at every execution (SQLAlchemy caches no PostgreSQL-only INSERT):
    ``insert_rows`` writes rows without it."""
    texts, documents = _as_documents(table, rows)
    return _recordset_insert(table, tuple(rows[0]), texts, postgresql.insert), {"rows": documents}


def _as_documents(
    table: Table, rows: Sequence[dict[str, Any]]
) -> tuple[tuple[str, ...], Sequence[dict[str, Any]]]:
    """The JSON columns whose values travel as their text, and the rows as the document
    carries them. A JSON column's values are part of the document, except in a column
    where JSON's null must stay a document (``none_as_null`` unset) and some row has it:
    the recordset would read that null as SQL's NULL, so the column's values travel as
    text, cast back to JSON."""
    texts = tuple(
        name
        for name, kind in _json_columns(table, tuple(rows[0])).items()
        if not kind.none_as_null and any(row[name] is None for row in rows)
    )
    if not texts:
        return texts, rows
    return texts, [{**row, **{name: json_text(row[name]) for name in texts}} for row in rows]


@cache
def _json_columns(table: Table, columns: tuple[str, ...]) -> dict[str, JSON]:
    return {name: kind for name in columns if isinstance(kind := table.c[name].type, JSON)}


@cache
def _recordset_insert(
    table: Table, columns: tuple[str, ...], texts: tuple[str, ...], make: Callable[[Table], _I]
) -> _I:
    values = _values(table, _recordset(table, columns, texts), columns, texts)
    return make(table).from_select(list(columns), select(*values.values()))


def _recordset(table: Table, columns: tuple[str, ...], texts: tuple[str, ...]) -> Any:
    """``json_to_recordset(:rows) AS rows(column type, ...)`` for ``columns`` of ``table``,
    ``texts`` among them as text."""
    return (
        func.json_to_recordset(bindparam("rows", type_=JSON))
        .table_valued(
            *(column(name, Text if name in texts else table.c[name].type) for name in columns)
        )
        .render_derived(with_types=True)
    )


def _values(
    table: Table, records: Any, columns: tuple[str, ...], texts: tuple[str, ...]
) -> dict[str, Any]:
    """Each column's value in ``records``, the text of a JSON column cast back to JSON."""
    return {
        name: cast(records.c[name], table.c[name].type) if name in texts else records.c[name]
        for name in columns
    }
