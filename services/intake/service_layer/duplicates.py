"""Likely duplicates as clerks see them: listed within their region, dismissed when the
two are different people, confirmed by a merge (service_layer/merges.py)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from wushe.intake.adapters.merge_orm import DuplicateCandidateRecord
from wushe.intake.adapters.orm import PersonRecord, PersonStatus
from wushe.intake.domain.duplicates import CandidateStatus
from wushe.intake.service_layer.lifecycle import ChangeRefused
from wushe.shared.auth import Caller
from wushe.shared.regions import scope_prefix
from wushe.shared.unit_of_work import UnitOfWork

First = aliased(PersonRecord, name="first_person")
Second = aliased(PersonRecord, name="second_person")


class CandidateNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Candidate:
    record: DuplicateCandidateRecord
    first: PersonRecord
    second: PersonRecord


@dataclass(frozen=True)
class CandidatePage:
    items: Sequence[Candidate]
    total: int


PairRows = Select[tuple[DuplicateCandidateRecord, PersonRecord, PersonRecord]]


def _pairs() -> PairRows:
    return (
        select(DuplicateCandidateRecord, First, Second)
        .join(First, First.id == DuplicateCandidateRecord.first_person_id)
        .join(Second, Second.id == DuplicateCandidateRecord.second_person_id)
    )


def _in_scope(scope: str) -> PairRows:
    prefix = scope_prefix(scope)
    return _pairs().where(
        First.residence_region.startswith(prefix), Second.residence_region.startswith(prefix)
    )


async def list_candidates(
    session: AsyncSession,
    scope: str,
    *,
    status: CandidateStatus | None = None,
    person_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> CandidatePage:
    """Pairs whose persons both live inside ``scope``, oldest first.

    An open pair is shown only while both files are active: once either is merged into
    a third file or closed by death, there is nothing left to merge.
    """
    statement = _in_scope(scope)
    if status is not None:
        statement = statement.where(DuplicateCandidateRecord.status == status.value)
    if status is CandidateStatus.OPEN:
        statement = statement.where(
            First.status == PersonStatus.ACTIVE, Second.status == PersonStatus.ACTIVE
        )
    if person_id is not None:
        statement = statement.where(
            or_(
                DuplicateCandidateRecord.first_person_id == person_id,
                DuplicateCandidateRecord.second_person_id == person_id,
            )
        )
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.execute(
        statement.order_by(DuplicateCandidateRecord.found_at, DuplicateCandidateRecord.id)
        .limit(limit)
        .offset(offset)
    )
    return CandidatePage([Candidate(*row) for row in rows.tuples()], total or 0)


async def load_candidate(uow: UnitOfWork, candidate_id: UUID) -> Candidate:
    row = (
        await uow.session.execute(_pairs().where(DuplicateCandidateRecord.id == str(candidate_id)))
    ).one_or_none()
    if row is None:
        raise CandidateNotFound(f"no duplicate candidate {candidate_id} (未找到该疑似重复记录)")
    return Candidate(*row)


async def candidate_for_pair(
    uow: UnitOfWork, one: str, other: str
) -> DuplicateCandidateRecord | None:
    first, second = sorted((one, other))
    candidate: DuplicateCandidateRecord | None = await uow.session.scalar(
        select(DuplicateCandidateRecord).where(
            DuplicateCandidateRecord.first_person_id == first,
            DuplicateCandidateRecord.second_person_id == second,
        )
    )
    return candidate


def require_open(candidate: DuplicateCandidateRecord) -> None:
    if candidate.status != CandidateStatus.OPEN:
        raise ChangeRefused(
            "candidate_id", f"the pair is already {candidate.status} (该疑似重复已处理)"
        )


def dismiss(candidate: DuplicateCandidateRecord, reason: str, caller: Caller) -> None:
    """The clerk found two people: the pair is not shown again, whoever finds it."""
    require_open(candidate)
    decide(candidate, CandidateStatus.DISMISSED, reason, caller)


def decide(
    candidate: DuplicateCandidateRecord, status: CandidateStatus, reason: str, caller: Caller
) -> None:
    candidate.status = status.value
    candidate.decided_by, candidate.decision_reason = caller.subject, reason
    candidate.decided_at = datetime.now(UTC)


def duplicate_named(
    survivor_id: str, duplicate_id: str | None, candidate: DuplicateCandidateRecord | None
) -> str:
    """The file to merge into ``survivor_id``: the one named, or the pair's other person."""
    if candidate is None:
        if duplicate_id is None:
            raise ChangeRefused("duplicate_id", "name the file to merge (须指明被合并的档案)")
        return duplicate_id
    pair = (candidate.first_person_id, candidate.second_person_id)
    if survivor_id not in pair:
        raise ChangeRefused(
            "candidate_id", "this person is not one of the pair (该人员不在此疑似重复记录中)"
        )
    other = pair[1] if pair[0] == survivor_id else pair[0]
    if duplicate_id is not None and duplicate_id != other:
        raise ChangeRefused(
            "duplicate_id", "not the other person of the pair (与疑似重复记录中的另一人不符)"
        )
    return other
