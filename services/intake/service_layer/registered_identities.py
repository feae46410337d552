"""Which rows of a ledger name persons already registered, by the keyed hash of their ID
number or the import fingerprint of a row without one.

An import's transaction asks before it writes a batch, and decides. The worker processes
ask too, before they seal a batch, so that importing a file again costs its checks and
not the sealing of every row; what they see is what was committed when they asked.
"""

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from wushe.intake.adapters.orm import PersonRecord


async def registered_among(
    session: AsyncSession, by_number: list[str], by_fingerprint: list[str]
) -> set[str]:
    present: set[str] = set()
    for column, identities in (
        (PersonRecord.id_number_hash, by_number),
        (PersonRecord.import_fingerprint, by_fingerprint),
    ):
        if identities:
            found = await session.scalars(select(column).where(column.in_(identities)))
            present.update(value for value in found if value)
    return present


def registered_among_committed(
    database_url: str, by_number: list[str], by_fingerprint: list[str]
) -> set[str]:
    """For a worker process, which has no event loop: one connection, closed before this
    returns, so that nothing of the database outlives the batch in the worker."""

    async def lookup() -> set[str]:
        engine = create_async_engine(database_url, poolclass=NullPool)
        try:
            async with AsyncSession(engine) as session:
                return await registered_among(session, by_number, by_fingerprint)
        finally:
            await engine.dispose()

    return asyncio.run(lookup())
