"""Merging two files of one person, and undoing a merge.

Nothing is deleted by a merge: the merged file is closed and points at the survivor,
its open group periods end, and the groups the survivor lacked are carried over with
their periods. The merge row remembers exactly what was carried and closed, so an undo
puts both files back as they were.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from wushe.intake.adapters.merge_orm import DuplicateCandidateRecord, PersonMergeRecord
from wushe.intake.adapters.orm import GroupMembershipRecord, PersonRecord, PersonStatus
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.age_rules import age_violations
from wushe.intake.domain.duplicates import CandidateStatus
from wushe.intake.domain.group_profiles import profile_violations
from wushe.intake.domain.merges import allowed_kinds, profile_kinds, with_kinds, without_kinds
from wushe.intake.service_layer.duplicates import decide
from wushe.intake.service_layer.history import note_change, person_event, record_change
from wushe.intake.service_layer.lifecycle import ChangeRefused, PersonNotFound
from wushe.shared.auth import Caller
from wushe.shared.events import Producer
from wushe.shared.events.groups import TargetGroup
from wushe.shared.events.intake import PersonMerged, PersonUnmerged
from wushe.shared.telemetry import current_trace_id
from wushe.shared.unit_of_work import UnitOfWork

# The end reason of the merged file's group periods; the undo opens them again.
ENDED_BY_MERGE = "merged"


class MergeNotFound(LookupError):
    pass


async def load_persons(uow: UnitOfWork, *person_ids: str, lock: bool = True) -> list[PersonRecord]:
    """The persons' rows, in the order asked for. Locked in id order, so that two
    decisions about the same pair wait for each other instead of deadlocking."""
    statement = select(PersonRecord).where(PersonRecord.id.in_(person_ids))
    if lock:
        statement = statement.order_by(PersonRecord.id).with_for_update()
    rows = await uow.session.scalars(statement)
    by_id = {row.id: row for row in rows}
    for person_id in person_ids:
        if person_id not in by_id:
            raise PersonNotFound(f"no person {person_id}")
    return [by_id[person_id] for person_id in person_ids]


def check_mergeable(survivor: PersonRecord, duplicate: PersonRecord) -> None:
    if survivor.id == duplicate.id:
        raise ChangeRefused("duplicate_id", "a file cannot be merged into itself (不能与自身合并)")
    if survivor.status == PersonStatus.MERGED:
        raise ChangeRefused(
            "person_id",
            f"this file was itself merged into {survivor.merged_into}; merge into that one "
            "(该档案已被合并，请并入合并后的档案)",
        )
    if survivor.status != PersonStatus.ACTIVE:
        raise ChangeRefused(
            "person_id", f"this file is closed ({survivor.status}) (不能并入已注销的档案)"
        )
    if duplicate.status != PersonStatus.ACTIVE:
        raise ChangeRefused(
            "duplicate_id", f"that file is closed ({duplicate.status}) (被合并的档案已注销或已合并)"
        )
    if survivor.id_number_hash is not None and duplicate.id_number_hash is not None:
        raise ChangeRefused(
            "id_number",
            "the two files have different ID numbers: they are two people "
            "(两份档案身份证号不同，不是同一人)",
        )
    if duplicate.id_number_hash is not None:
        raise ChangeRefused(
            "id_number",
            "only the file to be merged away has an ID number: keep that file and merge "
            "this one into it (请保留有身份证号的档案，将本档案并入)",
        )


async def _open_periods(uow: UnitOfWork, person_id: str) -> list[GroupMembershipRecord]:
    rows = await uow.session.scalars(
        select(GroupMembershipRecord)
        .where(GroupMembershipRecord.person_id == person_id, GroupMembershipRecord.until.is_(None))
        .order_by(GroupMembershipRecord.id)
    )
    return list(rows)


def _check_fit(survivor: PersonRecord, carried: Sequence[GroupMembershipRecord]) -> None:
    if survivor.birth_date is None:
        return
    for period in carried:
        problems = age_violations([TargetGroup(period.group)], survivor.birth_date, period.since)
        if problems:
            raise ChangeRefused("groups", "; ".join(problems))


def _carry_profiles(
    survivor: PersonRecord, duplicate: PersonRecord, groups: list[str], vault: PersonalDataVault
) -> set[str]:
    """Seal into the survivor the profile kinds it lacks and its new groups call for;
    returns their names."""
    profiles, theirs = vault.profiles(survivor), vault.profiles(duplicate)
    kinds = (profile_kinds(theirs) - profile_kinds(profiles)) & allowed_kinds(groups)
    profiles = with_kinds(profiles, theirs, kinds)
    problems = profile_violations({TargetGroup(group) for group in groups}, profiles)
    if problems:
        raise ChangeRefused("groups", "; ".join(problems))
    if kinds:
        vault.seal_profiles(survivor, profiles)
    return kinds


async def merge_persons(
    uow: UnitOfWork,
    survivor: PersonRecord,
    duplicate: PersonRecord,
    *,
    candidate: DuplicateCandidateRecord | None,
    reason: str,
    caller: Caller,
    producer: Producer,
    vault: PersonalDataVault,
) -> UUID:
    check_mergeable(survivor, duplicate)
    periods = await _open_periods(uow, duplicate.id)
    carried = [period for period in periods if period.group not in survivor.groups]
    _check_fit(survivor, carried)
    groups = [*survivor.groups, *(period.group for period in carried)]
    kinds = _carry_profiles(survivor, duplicate, groups, vault)
    copies = [
        GroupMembershipRecord(
            person_id=survivor.id,
            group=period.group,
            since=period.since,
            reason=period.reason,
            recorded_by=caller.subject,
        )
        for period in carried
    ]
    uow.session.add_all(copies)
    today, now = date.today(), datetime.now(UTC)
    for period in periods:
        period.until, period.end_reason = max(today, period.since), ENDED_BY_MERGE
    survivor.groups, survivor.updated_at = groups, now
    duplicate.status, duplicate.merged_into = PersonStatus.MERGED.value, survivor.id
    duplicate.updated_at = now
    await uow.session.flush()

    merge_id = uuid7()
    uow.session.add(
        PersonMergeRecord(
            id=str(merge_id), survivor_id=survivor.id, merged_id=duplicate.id,
            candidate_id=candidate.id if candidate else None,
            carried_groups=[period.group for period in carried],
            carried_membership_ids=[copy.id for copy in copies],
            carried_profiles=sorted(kinds),
            closed_membership_ids=[period.id for period in periods],
            reason=reason, merged_by=caller.subject, merged_at=now, trace_id=current_trace_id(),
        )
    )  # fmt: skip
    if candidate is not None:
        decide(candidate, CandidateStatus.CONFIRMED, reason, caller)
        candidate.merge_id = str(merge_id)
    event = person_event(
        PersonMerged(
            survivor_id=UUID(survivor.id),
            merged_id=UUID(duplicate.id),
            merge_id=merge_id,
            groups=groups,
        ),
        survivor,
        producer,
    )
    detail = {"merge_id": str(merge_id)}
    await record_change(
        uow, event, caller, fields=["groups"] if carried else [], reason=reason,
        detail=detail | {"merged_id": duplicate.id},
    )  # fmt: skip
    note_change(
        uow, event, caller, person_id=duplicate.id, fields=["status"], reason=reason,
        detail=detail | {"survivor_id": survivor.id},
    )  # fmt: skip
    return merge_id


async def load_merge(uow: UnitOfWork, merge_id: UUID, *, lock: bool = True) -> PersonMergeRecord:
    statement = select(PersonMergeRecord).where(PersonMergeRecord.id == str(merge_id))
    merge = await uow.session.scalar(statement.with_for_update() if lock else statement)
    if merge is None:
        raise MergeNotFound(f"no merge {merge_id} (未找到该合并记录)")
    return merge


async def undo_merge(
    uow: UnitOfWork,
    merge: PersonMergeRecord,
    survivor: PersonRecord,
    restored: PersonRecord,
    *,
    reason: str,
    caller: Caller,
    producer: Producer,
    vault: PersonalDataVault,
) -> None:
    if merge.undone_at is not None:
        raise ChangeRefused(
            "merge_id", f"already undone at {merge.undone_at.isoformat()} (该合并已撤销)"
        )
    if survivor.status != PersonStatus.ACTIVE:
        raise ChangeRefused(
            "survivor_id",
            f"the surviving file is closed ({survivor.status}); undo what closed it first "
            "(保留的档案已注销，须先撤销其注销或合并)",
        )
    groups = [group for group in survivor.groups if group not in merge.carried_groups]
    if not groups:
        raise ChangeRefused(
            "groups",
            "every group the surviving file still has came with the merge (保留的档案将没有类别)",
        )
    await uow.session.execute(
        delete(GroupMembershipRecord).where(
            GroupMembershipRecord.id.in_(merge.carried_membership_ids),
            GroupMembershipRecord.person_id == survivor.id,
        )
    )
    profiles = vault.profiles(survivor)
    unneeded = set(merge.carried_profiles) - allowed_kinds(groups)
    if unneeded & profile_kinds(profiles):
        vault.seal_profiles(survivor, without_kinds(profiles, unneeded))
    closed = await uow.session.scalars(
        select(GroupMembershipRecord).where(
            GroupMembershipRecord.id.in_(merge.closed_membership_ids),
            GroupMembershipRecord.person_id == restored.id,
        )
    )
    for period in closed:
        period.until, period.end_reason = None, None
    now = datetime.now(UTC)
    survivor.groups, survivor.updated_at = groups, now
    restored.status, restored.merged_into = PersonStatus.ACTIVE.value, None
    restored.updated_at = now
    merge.undone_by, merge.undo_reason, merge.undone_at = caller.subject, reason, now
    merge.undo_trace_id = current_trace_id()
    if merge.candidate_id is not None:
        await _reopen(uow, merge.candidate_id)
    event = person_event(
        PersonUnmerged(
            survivor_id=UUID(survivor.id),
            restored_id=UUID(restored.id),
            merge_id=UUID(merge.id),
            groups=groups,
            restored_groups=restored.groups,
        ),
        survivor,
        producer,
    )
    detail = {"merge_id": merge.id}
    await record_change(
        uow, event, caller, fields=["groups"] if merge.carried_groups else [], reason=reason,
        detail=detail | {"restored_id": restored.id},
    )  # fmt: skip
    note_change(
        uow, event, caller, person_id=restored.id, fields=["status"], reason=reason,
        detail=detail | {"survivor_id": survivor.id},
    )  # fmt: skip


async def _reopen(uow: UnitOfWork, candidate_id: str) -> None:
    # The undo says the merge was a mistake, not that the two are different people:
    # the pair goes back to the clerks, who may dismiss it or merge the other way round.
    candidate = await uow.session.get(DuplicateCandidateRecord, candidate_id)
    if candidate is not None:
        candidate.status = CandidateStatus.OPEN.value
        candidate.decided_by = candidate.decision_reason = candidate.decided_at = None
        candidate.merge_id = None


async def merged_into(session: AsyncSession, survivor_ids: Sequence[str]) -> list[str]:
    """The persons whose files are merged into these, and not restored since."""
    rows = await session.scalars(
        select(PersonMergeRecord.merged_id)
        .where(
            PersonMergeRecord.survivor_id.in_(survivor_ids), PersonMergeRecord.undone_at.is_(None)
        )
        .order_by(PersonMergeRecord.merged_at)
    )
    return list(rows)


async def whole_file(session: AsyncSession, person_id: str) -> list[str]:
    """The person and every file merged into theirs, however many merges deep."""
    ids, frontier = [person_id], [person_id]
    while frontier:
        frontier = [found for found in await merged_into(session, frontier) if found not in ids]
        ids += frontier
    return ids
