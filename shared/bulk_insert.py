"""Many rows into one table in one round trip, for imports and replays.

SQLAlchemy's executemany prepares every parameter set through its general machinery,
which costs more than the database's own work for narrow rows. Here the statement is
compiled once per table and column list, values are converted with the column types'
own bind processors (in whichever process prepares the rows: worker processes can do
it), and plain tuples go to the driver. A column's rows mostly repeat a few values (the
registration date, a list of groups, the import's trace headers), so each converter
remembers what it made of them.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class BulkInsert:
    sql: str
    keys: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]
    _converted: tuple[tuple[int, Callable[[Any], Any]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        converted = tuple(
            (i, _remembering(c)) for i, c in enumerate(self.converters) if c is not None
        )
        object.__setattr__(self, "_converted", converted)

    def parameters(self, row: dict[str, Any]) -> tuple[Any, ...]:
        # Most columns pass as they are; only those whose type converts them (dates,
        # JSON) are visited, which spares a branch per value of every row.
        values = [row[key] for key in self.keys]
        for position, convert in self._converted:
            values[position] = convert(values[position])
        return tuple(values)


# Enough for every date of a century and the combinations of a few list values; a column
# of unique values (timestamps) empties it now and then rather than growing it.
_REMEMBERED_VALUES = 65536


def _remembering(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    remembered: dict[Hashable, Any] = {}

    def converted(value: Any) -> Any:
        key = _key(value)
        if key is None:
            return convert(value)
        try:
            return remembered[key]
        except KeyError:
            if len(remembered) >= _REMEMBERED_VALUES:
                remembered.clear()
            result = remembered[key] = convert(value)
            return result

    return converted


def _key(value: Any) -> Hashable | None:
    """A key under which equal values convert alike, or None for a value not worth one.
    Exact types only: True equals 1 and a datetime is a date, but neither converts alike."""
    kind = type(value)
    if kind is date or kind is str:
        return (kind, value)
    if kind is list and all(type(item) is str for item in value):
        return (list, *value)
    if kind is dict and all(type(k) is str and type(v) is str for k, v in value.items()):
        return (dict, *value.items())
    return None


@lru_cache(maxsize=8)
def dialect_for(driver: str) -> Dialect:
    """A dialect like the engine's, from its URL's driver name (``sqlite+aiosqlite``)."""
    dialect: Dialect = make_url(f"{driver}://").get_dialect()()
    return dialect


@lru_cache(maxsize=64)
def bulk_insert(table: Table, columns: tuple[str, ...], driver: str) -> BulkInsert:
    dialect = dialect_for(driver)
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    keys = tuple(compiled.positiontup or ())
    converters = tuple(
        table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys
    )
    return BulkInsert(str(compiled), keys, converters)


async def execute_many(session: AsyncSession, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run a prepared insert for every row, in the session's transaction."""
    if rows:
        connection = await session.connection()
        await connection.exec_driver_sql(sql, list(rows))
