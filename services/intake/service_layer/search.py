"""Finding people: by name, ID number or phone through their blind indexes, by region,
group, station and status, newest first, a page at a time."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, select

from wushe.intake.adapters.orm import GroupMembershipRecord, PersonRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.phone import normalise_phone
from wushe.shared.events.groups import TargetGroup
from wushe.shared.regions import scope_prefix
from wushe.shared.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PersonQuery:
    scope: str
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    region: str | None = None
    group: TargetGroup | None = None
    station: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Page:
    records: Sequence[PersonRecord]
    total: int


def _filtered(query: PersonQuery, vault: PersonalDataVault) -> Select[tuple[PersonRecord]]:
    statement = select(PersonRecord).where(
        PersonRecord.residence_region.startswith(scope_prefix(query.scope))
    )
    if query.region:
        statement = statement.where(
            PersonRecord.residence_region.startswith(scope_prefix(query.region))
        )
    if query.name:
        statement = statement.where(PersonRecord.full_name_index == vault.name_index(query.name))
    if query.id_number:
        statement = statement.where(
            PersonRecord.id_number_hash == vault.id_number_hash(query.id_number)
        )
    if query.phone:
        statement = statement.where(
            PersonRecord.phone_index == vault.phone_index(normalise_phone(query.phone))
        )
    if query.group:
        statement = statement.where(
            exists().where(
                GroupMembershipRecord.person_id == PersonRecord.id,
                GroupMembershipRecord.group == query.group.value,
                GroupMembershipRecord.until.is_(None),
            )
        )
    if query.station:
        statement = statement.where(
            PersonRecord.station_region.startswith(scope_prefix(query.station))
        )
    if query.status:
        statement = statement.where(PersonRecord.status == query.status)
    return statement


async def search_persons(
    uow: UnitOfWork, query: PersonQuery, vault: PersonalDataVault, *, limit: int, offset: int
) -> Page:
    statement = _filtered(query, vault)
    async with uow:
        total = await uow.session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
        records = await uow.session.scalars(
            statement.order_by(PersonRecord.registered_at.desc(), PersonRecord.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return Page(list(records), total or 0)
