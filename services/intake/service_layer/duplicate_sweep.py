"""Compares, in the background, the persons not yet compared with the others: those a
ledger import brought in, those whose name or residence changed, and those registered
before likely duplicates were looked for.

Several intake processes may sweep at once: on PostgreSQL each takes rows the others
have not locked, and a pair found twice is stored once.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy import select, update

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.service_layer.duplicate_finding import flag_among
from wushe.shared.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)


async def sweep_unchecked(uow: UnitOfWork, batch_size: int) -> int:
    """Compare up to ``batch_size`` unchecked persons; returns how many were compared."""
    async with uow:
        statement = (
            select(PersonRecord.id)
            .where(PersonRecord.duplicates_checked_at.is_(None))
            .order_by(PersonRecord.id)
            .limit(batch_size)
        )
        if uow.session.bind.dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        person_ids = list(await uow.session.scalars(statement))
        found = await flag_among(uow, person_ids)
        await uow.session.execute(
            update(PersonRecord)
            .where(PersonRecord.id.in_(person_ids))
            .values(duplicates_checked_at=datetime.now(UTC))
        )
        await uow.commit()
    if found:
        log.info("likely duplicates found", compared=len(person_ids), pairs=found)
    return len(person_ids)


class DuplicateSweep:
    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        *,
        poll_seconds: float = 5.0,
        batch_size: int = 1000,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size

    async def run(self) -> None:
        while True:
            try:
                compared = await sweep_unchecked(self._unit_of_work(), self._batch_size)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("duplicate sweep failed")
                compared = 0
            if compared < self._batch_size:
                await asyncio.sleep(self._poll_seconds)
