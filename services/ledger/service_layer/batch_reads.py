"""Records a batch's events name, read before they are applied, in one query."""

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from wushe.shared.batch_sql import member_of

Record = TypeVar("Record")


async def read_missing(
    session: AsyncSession,
    key: InstrumentedAttribute[Any],
    keys: Iterable[str],
    loaded: dict[str, Record | None],
) -> None:
    """Add to ``loaded`` the record whose ``key`` is each of ``keys`` not there yet, or
    None where there is none: looking each one up as its event is applied would first
    flush everything the batch added so far."""
    wanted = set(keys).difference(loaded)
    if not wanted:
        return
    loaded.update(dict.fromkeys(wanted))
    # The keys travel as one parameter (``member_of``), however many there are.
    for record in await session.scalars(select(key.class_).where(member_of(session, key, wanted))):
        loaded[getattr(record, key.key)] = record
