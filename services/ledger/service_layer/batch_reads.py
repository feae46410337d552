"""Records a batch's events name, read before they are applied, a few queries in all."""

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from wushe.shared.batch_sql import member_of

Record = TypeVar("Record")
# Keys per query: well under every database's limit on bound parameters.
_KEYS_PER_QUERY = 500


async def read_missing(
    session: AsyncSession,
    key: InstrumentedAttribute[Any],
    keys: Iterable[str],
    loaded: dict[str, Record | None],
) -> None:
    """Add to ``loaded`` the record whose ``key`` is each of ``keys`` not there yet, or
    None where there is none: looking each one up as its event is applied would first
    flush everything the batch added so far."""
    wanted = sorted(set(keys).difference(loaded))
    loaded.update(dict.fromkeys(wanted))
    for start in range(0, len(wanted), _KEYS_PER_QUERY):
        chunk = wanted[start : start + _KEYS_PER_QUERY]
        for record in await session.scalars(
            select(key.class_).where(member_of(session, key, chunk))
        ):
            loaded[getattr(record, key.key)] = record
