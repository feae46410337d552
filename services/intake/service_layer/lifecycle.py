"""Changes to a registered person: details, groups, moves, death. Each change writes a
history line and emits its event in the same transaction."""

from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import select

from wushe.intake.adapters.orm import GroupMembershipRecord, PersonRecord, PersonStatus
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.age_rules import age_violations
from wushe.intake.domain.changes import (
    DeathReport,
    GroupJoin,
    GroupLeave,
    PersonUpdate,
    Relocation,
)
from wushe.intake.domain.children_at_risk import any_at_risk
from wushe.intake.domain.group_profiles import profile_violations
from wushe.intake.domain.identity import decode_valid
from wushe.intake.domain.profiles import PersonProfiles
from wushe.intake.service_layer.history import person_event, record_change
from wushe.intake.service_layer.registration import AlreadyRegistered
from wushe.shared.auth import Caller
from wushe.shared.events import Producer
from wushe.shared.events.groups import TargetGroup
from wushe.shared.events.intake import (
    PersonDeceased,
    PersonGroupJoined,
    PersonGroupLeft,
    PersonRelocated,
    PersonUpdated,
)
from wushe.shared.unit_of_work import UnitOfWork


class PersonNotFound(LookupError):
    pass


class ChangeRefused(Exception):
    """The change contradicts the person's record; ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


async def load_for_change(uow: UnitOfWork, person_id: UUID) -> PersonRecord:
    record = await uow.session.scalar(
        select(PersonRecord).where(PersonRecord.id == str(person_id)).with_for_update()
    )
    if record is None:
        raise PersonNotFound(f"no person {person_id}")
    if record.status != PersonStatus.ACTIVE:
        raise ChangeRefused("person_id", f"the person's file is {record.status} (档案已注销)")
    return record


async def update_person(
    uow: UnitOfWork,
    record: PersonRecord,
    change: PersonUpdate,
    *,
    caller: Caller,
    producer: Producer,
    vault: PersonalDataVault,
) -> list[str]:
    fields = change.changed_fields()
    if "full_name" in fields and change.full_name:
        vault.seal_name(record, change.full_name)
    if "id_number" in fields:
        await _add_id_number(uow, record, change.id_number, vault)
    if "phone" in fields:
        vault.seal_phone(record, change.phone)
    if "address" in fields:
        vault.seal_address(record, change.address)
    if "household_region" in fields:
        record.household_region = change.household_region
    if "profiles" in fields:
        profiles = change.profiles or PersonProfiles()
        _check_profiles(record.groups, profiles)
        vault.seal_profiles(record, profiles)
    if {"full_name", "id_number"} & set(fields):
        # A new name or birth date may match other persons: the background sweep looks.
        record.duplicates_checked_at = None
    record.updated_at = datetime.now(UTC)
    event = person_event(
        PersonUpdated(person_id=UUID(record.id), changed_fields=fields), record, producer
    )
    await record_change(uow, event, caller, fields=fields, reason=change.reason)
    return fields


async def _add_id_number(
    uow: UnitOfWork, record: PersonRecord, number: str | None, vault: PersonalDataVault
) -> None:
    if record.id_number_hash is not None or number is None:
        raise ChangeRefused(
            "id_number",
            "an ID number once recorded cannot be changed or cleared; "
            "a wrong one is corrected by merging the records (身份证号不可修改)",
        )
    existing = await uow.session.scalar(
        select(PersonRecord.id).where(PersonRecord.id_number_hash == vault.id_number_hash(number))
    )
    if existing:
        raise AlreadyRegistered(existing)
    resident = decode_valid(number)
    for name, known, derived in (
        ("birth_date", record.birth_date, resident.birth_date),
        ("sex", record.sex, resident.sex.value),
    ):
        if known is not None and known != derived:
            raise ChangeRefused(
                "id_number",
                f"the ID number says {name} {derived}, the record says {known} "
                "(身份证号与已登记的出生日期或性别不一致)",
            )
    record.birth_date, record.sex = resident.birth_date, resident.sex.value
    vault.seal_id_number(record, number)


def _check_profiles(groups: list[str], profiles: PersonProfiles) -> None:
    problems = profile_violations({TargetGroup(g) for g in groups}, profiles)
    if problems:
        raise ChangeRefused("profiles", "; ".join(problems))


async def join_group(
    uow: UnitOfWork,
    record: PersonRecord,
    join: GroupJoin,
    *,
    caller: Caller,
    producer: Producer,
    vault: PersonalDataVault,
) -> None:
    if join.group.value in record.groups:
        raise ChangeRefused("group", f"already in {join.group.value} (已在该类别中)")
    if record.birth_date is not None:
        problems = age_violations([join.group], record.birth_date, join.since)
        if problems:
            raise ChangeRefused("group", "; ".join(problems))
    groups = [*record.groups, join.group.value]
    profiles = vault.profiles(record)
    if join.profiles is not None:
        profiles = profiles.model_copy(update=join.profiles.model_dump(exclude_none=True))
        profiles = PersonProfiles.model_validate(profiles.model_dump())
    _check_profiles(groups, profiles)
    vault.seal_profiles(record, profiles)
    record.groups = groups
    record.updated_at = datetime.now(UTC)
    uow.session.add(
        GroupMembershipRecord(
            person_id=record.id,
            group=join.group.value,
            since=join.since,
            reason=join.reason,
            recorded_by=caller.subject,
        )
    )
    # A child joining a group at risk: the agencies that must find the child may learn who
    # and where (domain/children_at_risk.py).
    sealed = (
        vault.sealed_for_partners(vault.full_name(record), vault.address(record))
        if any_at_risk([join.group])
        else {}
    )
    event = person_event(
        PersonGroupJoined(
            person_id=UUID(record.id),
            group=join.group.value,
            since=join.since,
            groups=groups,
            **sealed,
        ),
        record,
        producer,
    )
    await record_change(
        uow,
        event,
        caller,
        fields=["groups"],
        detail={"group": join.group.value},
        reason=join.reason,
    )


async def leave_group(
    uow: UnitOfWork,
    record: PersonRecord,
    group: TargetGroup,
    leave: GroupLeave,
    *,
    caller: Caller,
    producer: Producer,
) -> None:
    period = await uow.session.scalar(
        select(GroupMembershipRecord).where(
            GroupMembershipRecord.person_id == record.id,
            GroupMembershipRecord.group == group.value,
            GroupMembershipRecord.until.is_(None),
        )
    )
    if period is None or group.value not in record.groups:
        raise ChangeRefused("group", f"not in {group.value} (不在该类别中)")
    if leave.until < period.since:
        raise ChangeRefused(
            "until", f"before the membership began on {period.since} (结束日期早于开始日期)"
        )
    if len(record.groups) == 1:
        raise ChangeRefused(
            "group",
            f"{group.value} is the person's only group; a file with no group is closed "
            "by death or merge (不能移除最后一个类别)",
        )
    period.until, period.end_reason = leave.until, leave.reason
    record.groups = [g for g in record.groups if g != group.value]
    record.updated_at = datetime.now(UTC)
    event = person_event(
        PersonGroupLeft(
            person_id=UUID(record.id), group=group.value, until=leave.until, groups=record.groups
        ),
        record,
        producer,
    )
    await record_change(
        uow,
        event,
        caller,
        fields=["groups"],
        detail={"group": group.value},
        reason=leave.reason,
    )


async def relocate(
    uow: UnitOfWork,
    record: PersonRecord,
    move: Relocation,
    *,
    caller: Caller,
    producer: Producer,
    vault: PersonalDataVault,
) -> None:
    if move.to_region == record.residence_region:
        raise ChangeRefused("to_region", "the person already lives there (迁入地与现居住地相同)")
    from_region = record.residence_region
    record.residence_region = move.to_region
    if move.household_region is not None:
        record.household_region = move.household_region
    if move.address is not None:
        vault.seal_address(record, move.address)
    record.duplicates_checked_at = None  # neighbours in the new village are compared too
    record.updated_at = datetime.now(UTC)
    event = person_event(
        PersonRelocated(
            person_id=UUID(record.id),
            from_region=from_region,
            to_region=move.to_region,
            moved_on=move.moved_on,
            household_region=move.household_region,
        ),
        record,
        producer,
    )
    fields = ["residence_region"] + (["address"] if move.address else [])
    fields += ["household_region"] if move.household_region else []
    await record_change(
        uow,
        event,
        caller,
        fields=fields,
        detail={"from_region": from_region, "to_region": move.to_region},
        reason=move.reason,
    )


async def report_death(
    uow: UnitOfWork,
    record: PersonRecord,
    report: DeathReport,
    *,
    caller: Caller,
    producer: Producer,
) -> None:
    if record.birth_date is not None and report.died_on < record.birth_date:
        raise ChangeRefused("died_on", "before the person's birth date (早于出生日期)")
    record.status, record.deceased_on = PersonStatus.DECEASED, report.died_on
    record.updated_at = datetime.now(UTC)
    await _close_open_periods(uow, record.id, report.died_on, "deceased")
    event = person_event(
        PersonDeceased(person_id=UUID(record.id), died_on=report.died_on), record, producer
    )
    await record_change(uow, event, caller, fields=["status"], reason=report.reason)


async def _close_open_periods(uow: UnitOfWork, person_id: str, day: date, why: str) -> None:
    periods = await uow.session.scalars(
        select(GroupMembershipRecord).where(
            GroupMembershipRecord.person_id == person_id, GroupMembershipRecord.until.is_(None)
        )
    )
    for period in periods:
        period.until, period.end_reason = max(day, period.since), why
