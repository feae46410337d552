"""What intake's API returns about likely duplicates and merges."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.intake.adapters.merge_orm import PersonMergeRecord
from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.entrypoints.views import PersonView
from wushe.intake.service_layer.duplicates import Candidate


class CandidateView(BaseModel):
    candidate_id: UUID
    rule: str = Field(examples=["pinyin_birth_date"])
    status: str = Field(examples=["open"])
    found_at: datetime
    persons: list[PersonView] = Field(description="The two persons, earlier registered first")
    decided_by: str | None
    decision_reason: str | None
    decided_at: datetime | None
    merge_id: UUID | None

    @classmethod
    def of(cls, candidate: Candidate, vault: PersonalDataVault) -> "CandidateView":
        row = candidate.record
        return cls(
            candidate_id=UUID(row.id),
            rule=row.rule,
            status=row.status,
            found_at=row.found_at,
            persons=[
                PersonView.of(person, vault) for person in (candidate.first, candidate.second)
            ],
            decided_by=row.decided_by,
            decision_reason=row.decision_reason,
            decided_at=row.decided_at,
            merge_id=UUID(row.merge_id) if row.merge_id else None,
        )


class CandidatePage(BaseModel):
    items: list[CandidateView]
    total: int
    limit: int
    offset: int


class Merged(BaseModel):
    merge_id: UUID
    survivor_id: UUID
    merged_id: UUID
    groups: list[str] = Field(description="The survivor's groups after the merge")
    trace_id: str | None


class Unmerged(BaseModel):
    merge_id: UUID
    survivor_id: UUID
    restored_id: UUID
    trace_id: str | None


class MergeView(BaseModel):
    merge_id: UUID
    survivor_id: UUID
    merged_id: UUID
    candidate_id: UUID | None
    carried_groups: list[str]
    reason: str
    merged_by: str
    merged_at: datetime
    trace_id: str | None
    undone_by: str | None
    undo_reason: str | None
    undone_at: datetime | None
    undo_trace_id: str | None

    @classmethod
    def of(cls, row: PersonMergeRecord) -> "MergeView":
        return cls(
            merge_id=UUID(row.id),
            survivor_id=UUID(row.survivor_id),
            merged_id=UUID(row.merged_id),
            candidate_id=UUID(row.candidate_id) if row.candidate_id else None,
            carried_groups=row.carried_groups,
            reason=row.reason,
            merged_by=row.merged_by,
            merged_at=row.merged_at,
            trace_id=row.trace_id,
            undone_by=row.undone_by,
            undo_reason=row.undo_reason,
            undone_at=row.undone_at,
            undo_trace_id=row.undo_trace_id,
        )
