"""Intake's HTTP API for likely duplicates and merges: clerks list the pairs found,
dismiss those that are two people, and merge those that are one; a merge can be undone."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from wushe.intake.adapters.orm import PersonRecord
from wushe.intake.domain.duplicates import CandidateStatus
from wushe.intake.domain.merges import Dismissal, MergeRequest, MergeUndo
from wushe.intake.entrypoints.dependencies import REGISTRARS, VaultDep, changing
from wushe.intake.entrypoints.duplicate_views import (
    CandidatePage,
    CandidateView,
    Merged,
    MergeView,
    Unmerged,
)
from wushe.intake.service_layer import duplicates, merges
from wushe.intake.service_layer.disclosure import MAY_READ_PERSONS
from wushe.intake.service_layer.duplicate_finding import flag_likely_duplicates
from wushe.shared.auth import Caller, CurrentCaller, require_region, require_role
from wushe.shared.http import RuntimeDep
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.telemetry import current_trace_id
from wushe.shared.unit_of_work import UnitOfWork

router = APIRouter(tags=["duplicates"])


def _require_in_region(caller: Caller, *persons: PersonRecord) -> None:
    for person in persons:
        require_region(caller, person.residence_region, field="residence_region")


@asynccontextmanager
async def _deciding(
    runtime: ServiceRuntime, caller: Caller, *person_ids: str
) -> AsyncIterator[tuple[UnitOfWork, list[PersonRecord]]]:
    """The persons' rows, locked, in a unit of work committed when the block ends; a
    decision about a pair holds both, so two clerks deciding about it take turns."""
    uow = runtime.unit_of_work()
    async with uow:
        persons = await merges.load_persons(uow, *person_ids)
        _require_in_region(caller, *persons)
        yield uow, persons
        await uow.commit()


@router.get("/duplicates", response_model=CandidatePage)
async def list_duplicates(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
    candidate_status: Annotated[CandidateStatus | None, Query(alias="status")] = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> CandidatePage:
    """Pairs of likely duplicates whose persons both live in the caller's region, oldest
    first; `status=open` is the clerks' queue."""
    require_role(caller, *MAY_READ_PERSONS)
    async with runtime.sessions() as session:
        page = await duplicates.list_candidates(
            session, caller.region, status=candidate_status, limit=limit, offset=offset
        )
    return CandidatePage(
        items=[CandidateView.of(candidate, vault) for candidate in page.items],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.post("/persons/{person_id}/duplicates", response_model=list[CandidateView])
async def find_duplicates(
    person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep, vault: VaultDep
) -> list[CandidateView]:
    """Look for the person's likely duplicates now; returns the person's open pairs."""
    async with changing(runtime, caller, person_id) as (uow, record):
        await flag_likely_duplicates(uow, record)
    async with runtime.sessions() as session:
        page = await duplicates.list_candidates(
            session, caller.region, status=CandidateStatus.OPEN, person_id=str(person_id)
        )
    return [CandidateView.of(candidate, vault) for candidate in page.items]


@router.post("/duplicates/{candidate_id}/dismiss", response_model=CandidateView)
async def dismiss(
    candidate_id: UUID,
    dismissal: Dismissal,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> CandidateView:
    """The two are different people: the pair leaves the queue and is not found again."""
    require_role(caller, *REGISTRARS)
    uow = runtime.unit_of_work()
    async with uow:
        found = await duplicates.load_candidate(uow, candidate_id)
    pair = (found.record.first_person_id, found.record.second_person_id)
    async with _deciding(runtime, caller, *pair) as (uow, _):
        candidate = await duplicates.load_candidate(uow, candidate_id)
        duplicates.dismiss(candidate.record, dismissal.reason, caller)
    return CandidateView.of(candidate, vault)


@router.post("/persons/{person_id}/merge", response_model=Merged)
async def merge(
    person_id: UUID,
    request: MergeRequest,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> Merged:
    """Merge another file of this person into this one; emits `person.merged`.

    The other file is closed and points here; the groups this file lacked are carried
    over with their periods; both histories stay. 409 naming the field when the files
    cannot be one person's (two ID numbers) or one of them is closed.
    """
    require_role(caller, *REGISTRARS)
    survivor_id = str(person_id)
    named = str(request.duplicate_id) if request.duplicate_id else None
    uow = runtime.unit_of_work()
    async with uow:
        candidate = None
        if request.candidate_id is not None:
            candidate = (await duplicates.load_candidate(uow, request.candidate_id)).record
        duplicate_id = duplicates.duplicate_named(survivor_id, named, candidate)
    async with _deciding(runtime, caller, survivor_id, duplicate_id) as (uow, persons):
        survivor, duplicate = persons
        pair = await duplicates.candidate_for_pair(uow, survivor.id, duplicate.id)
        if request.candidate_id is not None and pair is not None:
            duplicates.require_open(pair)
        if pair is not None and pair.status == CandidateStatus.CONFIRMED:
            pair = None
        merge_id = await merges.merge_persons(
            uow, survivor, duplicate, candidate=pair, reason=request.reason,
            caller=caller, producer=runtime.producer, vault=vault,
        )  # fmt: skip
        groups = list(survivor.groups)
    return Merged(
        merge_id=merge_id,
        survivor_id=person_id,
        merged_id=UUID(duplicate_id),
        groups=groups,
        trace_id=current_trace_id(),
    )


@router.get("/merges/{merge_id}", response_model=MergeView)
async def get_merge(merge_id: UUID, caller: CurrentCaller, runtime: RuntimeDep) -> MergeView:
    """Who merged which files, when and why, and whether and why it was undone."""
    require_role(caller, *MAY_READ_PERSONS)
    uow = runtime.unit_of_work()
    async with uow:
        merge = await merges.load_merge(uow, merge_id, lock=False)
        persons = await merges.load_persons(uow, merge.survivor_id, merge.merged_id, lock=False)
    _require_in_region(caller, *persons)
    return MergeView.of(merge)


@router.post("/merges/{merge_id}/undo", response_model=Unmerged)
async def undo(
    merge_id: UUID,
    request: MergeUndo,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    vault: VaultDep,
) -> Unmerged:
    """Undo a merge: the merged file is active again, the groups it brought are taken
    back from the survivor; emits `person.unmerged`. 409 if already undone."""
    require_role(caller, *REGISTRARS)
    uow = runtime.unit_of_work()
    async with uow:
        found = await merges.load_merge(uow, merge_id, lock=False)
    pair = (found.survivor_id, found.merged_id)
    async with _deciding(runtime, caller, *pair) as (uow, persons):
        survivor, restored = persons
        merge = await merges.load_merge(uow, merge_id)
        await merges.undo_merge(
            uow, merge, survivor, restored, reason=request.reason,
            caller=caller, producer=runtime.producer, vault=vault,
        )  # fmt: skip
    return Unmerged(
        merge_id=merge_id,
        survivor_id=UUID(found.survivor_id),
        restored_id=UUID(found.merged_id),
        trace_id=current_trace_id(),
    )
