"""A batch's keys and rows in statements whose text does not grow with the batch.

On PostgreSQL a batch's keys travel as one array (``= ANY($1)``) and its rows as one
array per column (``INSERT ... SELECT unnest($1), unnest($2) ...``): a statement of a
few parameters, compiled once, prepared once per connection and executed once. The
portable forms, ``IN (...)`` with a parameter per key and one INSERT per row, are
rendered again for every batch (SQLAlchemy expands the list each time) and executed
row by row. SQLite takes the keys as one JSON text (``json_each``); its rows, written in
process, keep the portable INSERT.
"""

from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

from sqlalchemy import JSON, ColumnElement, Table, Text, any_, bindparam, cast, func, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from wushe.shared.db import json_text

_TEXTS = postgresql.ARRAY(Text)


def _on_postgresql(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


def member_of(
    session: AsyncSession, column: ColumnElement[Any], values: Collection[Any]
) -> ColumnElement[bool]:
    """``column IN values``: on PostgreSQL ``column = ANY(:keys)``, on SQLite ``column IN
    (SELECT value FROM json_each(:keys))``, the keys bound as one array or JSON text."""
    # A distinct name per column: two such conditions can share one statement.
    name = f"keys_{column.key}"
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        return column == any_(bindparam(name, list(values), type_=postgresql.ARRAY(column.type)))
    if dialect == "sqlite":
        keys = bindparam(name, json_text(list(values)), type_=Text)
        return column.in_(select(func.json_each(keys).table_valued("value").c.value))
    return column.in_(values)


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, covering every column without a server
    default) into ``table``."""
    if not rows:
        return
    if _on_postgresql(session):
        await session.execute(unnest_insert(table, list(rows[0])), columns_of_rows(table, rows))
    else:
        await session.execute(insert(table), list(rows))


def unnest_insert(table: Table, columns: Sequence[str]) -> postgresql.Insert:
    """PostgreSQL's ``INSERT INTO table (columns) SELECT unnest(:column) ...``: a
    parameter per column, bound to the list of that column's values
    (``columns_of_rows``); it can carry ``on_conflict_do_nothing``."""
    return _unnest_insert(table, tuple(columns))


@cache
def _unnest_insert(table: Table, columns: tuple[str, ...]) -> postgresql.Insert:
    values = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, JSON):
            # An array of JSON documents travels as text: a document that is itself a
            # list would be read as one more dimension of the array.
            values.append(cast(func.unnest(bindparam(name, type_=_TEXTS)), column_type))
        else:
            values.append(func.unnest(bindparam(name, type_=postgresql.ARRAY(column_type))))
    return postgresql.insert(table).from_select(list(columns), select(*values))


def columns_of_rows(table: Table, rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The parameters of ``unnest_insert`` for ``rows``: each column's values in row
    order, JSON documents as their text."""
    return {name: _values_of(table.c[name].type, name, rows) for name in rows[0]}


def _values_of(column_type: Any, name: str, rows: Sequence[dict[str, Any]]) -> list[Any]:
    if not isinstance(column_type, JSON):
        return [row[name] for row in rows]
    # As SQLAlchemy binds them: None is JSON's null unless the column says SQL's NULL.
    return [
        None if row[name] is None and column_type.none_as_null else json_text(row[name])
        for row in rows
    ]
