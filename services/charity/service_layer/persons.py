"""Charity's own view of the persons on the ledger, from the ledger's and intake's events:
whom money may be disbursed to, and which groups they are in for group earmarks."""

from sqlalchemy.ext.asyncio import AsyncSession

from wushe.charity.adapters.disbursement_orm import PersonOnLedger
from wushe.charity.domain.refusals import Invalid
from wushe.charity.domain.restrictions import Recipient


async def file_opened(
    session: AsyncSession, person_id: str, region_code: str, groups: list[str]
) -> None:
    """The person has a ledger file. Groups from intake's own events, when they came
    first, are at least as recent as the copy the file was opened with."""
    person = await _person(session, person_id, region_code, groups)
    person.has_file = True
    person.region_code = region_code
    await session.flush()


async def groups_changed(
    session: AsyncSession, person_id: str, region_code: str, groups: list[str]
) -> None:
    person = await _person(session, person_id, region_code, groups)
    person.groups = sorted(set(groups))
    await session.flush()


async def set_merged_into(session: AsyncSession, person_id: str, survivor: str | None) -> None:
    """Merges may arrive before the merged person's own earlier events."""
    person = await _person(session, person_id, "", [])
    person.merged_into = survivor
    await session.flush()


async def _person(
    session: AsyncSession, person_id: str, region_code: str, groups: list[str]
) -> PersonOnLedger:
    person = await session.get(PersonOnLedger, person_id)
    if person is None:
        person = PersonOnLedger(person_id=person_id, region_code=region_code,
                                groups=sorted(set(groups)), has_file=False)  # fmt: skip
        session.add(person)
    return person


async def recipient_person(session: AsyncSession, person_id: str) -> Recipient:
    """The person as a recipient; refused unless they have a ledger file of their own."""
    person = await session.get(PersonOnLedger, person_id)
    if person is not None and person.merged_into:
        raise Invalid(
            f"person {person_id} was merged into {person.merged_into}; disburse to that file "
            "/ 该档案已合并",
            field="person_id",
        )
    if person is None or not person.has_file:
        raise Invalid(f"person {person_id} has no ledger file / 该人员没有台账档案",
                      field="person_id")  # fmt: skip
    return Recipient(person_id=person_id, person_groups=frozenset(person.groups))


async def survivor_of(session: AsyncSession, person_id: str) -> str:
    """The file a person's earmark now belongs to: merges forward it to the survivor."""
    seen = {person_id}
    person = await session.get(PersonOnLedger, person_id)
    while person is not None and person.merged_into and person.merged_into not in seen:
        seen.add(person.merged_into)
        person_id = person.merged_into
        person = await session.get(PersonOnLedger, person_id)
    return person_id
