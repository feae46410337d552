"""Finding likely duplicates, for one person when they are registered, or for a batch
of persons when they are swept.

Finding is a lookup on the index of pinyin reading and birth date (every rule needs the
same reading of the name) inside the caller's transaction; the rules in
domain/duplicates.py then choose among the few rows it returns. A batch takes one lookup
for all its persons, so a ledger import of 100,000 people is compared in a few hundred
statements.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select
from uuid_utils.compat import uuid7

from wushe.intake.adapters.merge_orm import DuplicateCandidateRecord
from wushe.intake.adapters.orm import PersonRecord, PersonStatus
from wushe.intake.domain.duplicates import CandidateStatus, PersonTraits, duplicate_rule
from wushe.shared.db import conflict_insert
from wushe.shared.unit_of_work import UnitOfWork


async def flag_likely_duplicates(uow: UnitOfWork, record: PersonRecord) -> int:
    """Compare one person, whose record is in the session, with the others; returns how
    many pairs were new."""
    record.duplicates_checked_at = datetime.now(UTC)
    columns = {name: getattr(record, name) for name in ("status", *_TRAIT_NAMES)}
    return await flag_person(uow, record.id, columns)


async def flag_person(uow: UnitOfWork, person_id: str, columns: Mapping[str, Any]) -> int:
    """Compare one person, by their column values (a record's, or a row's just written),
    with the others; returns how many pairs were new."""
    if columns["status"] != PersonStatus.ACTIVE:
        return 0
    return await flag_known(uow, [(person_id, traits_of_columns(columns))])


_TRAIT_NAMES = (
    "full_name_index", "full_name_pinyin_index", "birth_date", "residence_region",
    "id_number_hash",
)  # fmt: skip
_TRAITS = (PersonRecord.id, *(getattr(PersonRecord, name) for name in _TRAIT_NAMES))


def traits_of_columns(columns: Mapping[Any, Any]) -> PersonTraits:
    """Traits from a person's column values: a row of _TRAITS, or a row about to be
    inserted."""
    return PersonTraits(
        name_index=columns["full_name_index"],
        pinyin_index=columns["full_name_pinyin_index"],
        birth_date=columns["birth_date"],
        residence_region=columns["residence_region"],
        has_id_number=columns["id_number_hash"] is not None,
    )


async def flag_among(uow: UnitOfWork, person_ids: list[str]) -> int:
    """Compare the given active persons with the others; returns how many pairs were new."""
    rows = await uow.session.execute(
        select(*_TRAITS).where(
            PersonRecord.id.in_(person_ids), PersonRecord.status == PersonStatus.ACTIVE
        )
    )
    return await flag_known(uow, [(row.id, traits_of_columns(row._mapping)) for row in rows])


async def flag_known(uow: UnitOfWork, mine: list[tuple[str, PersonTraits]]) -> int:
    """Compare active persons whose traits are known with each other and with every
    active person sharing a pinyin reading of their name; returns how many pairs were new."""
    return await record_pairs(uow, await likely_pairs(uow, mine))


async def likely_pairs(
    uow: UnitOfWork, mine: list[tuple[str, PersonTraits]]
) -> dict[tuple[str, str], str]:
    """The likely pairs among ``mine`` and between them and the stored active persons,
    found in one lookup, each pair once (smaller id first) with its rule. ``mine`` need
    not be stored yet: an import looks before writing its batch, so that the lookup
    returns only the others."""
    if not mine:
        return {}
    alike: dict[str, list[tuple[str, PersonTraits]]] = {}
    for person_id, traits in mine:
        alike.setdefault(traits.pinyin_index, []).append((person_id, traits))
    ids = {person_id for person_id, _ in mine}
    # Common readings (wang fang) are shared by thousands: only those born the same day,
    # or of unknown birth, or living where someone of unknown birth lives, can match.
    births = {traits.birth_date for _, traits in mine if traits.birth_date is not None}
    homes = {traits.residence_region for _, traits in mine if traits.birth_date is None}
    for row in await uow.session.execute(
        select(*_TRAITS).where(
            PersonRecord.full_name_pinyin_index.in_(alike),
            or_(PersonRecord.birth_date.in_(births), PersonRecord.birth_date.is_(None),
                PersonRecord.residence_region.in_(homes)),
            PersonRecord.status == PersonStatus.ACTIVE,
        )
    ):  # fmt: skip
        if row.id not in ids:
            alike[row.full_name_pinyin_index].append((row.id, traits_of_columns(row._mapping)))
    pairs: dict[tuple[str, str], str] = {}
    for person_id, traits in mine:
        for other_id, other in alike[traits.pinyin_index]:
            rule = None if other_id == person_id else duplicate_rule(traits, other)
            if rule is not None:
                first, second = sorted((person_id, other_id))
                pairs.setdefault((first, second), rule.value)
    return pairs


async def record_pairs(uow: UnitOfWork, pairs: dict[tuple[str, str], str]) -> int:
    """Store likely pairs for the clerks; returns how many were new."""
    if not pairs:
        return 0
    # Another process may find the same pair at the same moment: the pair's unique key
    # decides, and the later finding is dropped instead of failing its transaction.
    session = uow.session
    now = datetime.now(UTC)
    statement = (
        conflict_insert(session, DuplicateCandidateRecord)
        .values([
            {"id": str(uuid7()), "first_person_id": first, "second_person_id": second,
             "rule": rule, "status": CandidateStatus.OPEN.value, "found_at": now}
            for (first, second), rule in pairs.items()
        ])
        .on_conflict_do_nothing(index_elements=["first_person_id", "second_person_id"])
    )  # fmt: skip
    result = cast(CursorResult[Any], await session.execute(statement))
    return result.rowcount
