"""Intake's tables of likely duplicates and merges; they share the person tables' metadata."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wushe.intake.adapters.orm import Base


class DuplicateCandidateRecord(Base):
    """Two persons who are likely one, waiting for a clerk to merge or dismiss them.

    A pair is stored once, the smaller person id first, so that finding it again from
    either side changes nothing, and a dismissed pair stays dismissed.
    """

    __tablename__ = "duplicate_candidates"
    __table_args__ = (UniqueConstraint("first_person_id", "second_person_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    first_person_id: Mapped[str] = mapped_column(String(36), index=True)
    second_person_id: Mapped[str] = mapped_column(String(36), index=True)
    rule: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), index=True)
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_reason: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    merge_id: Mapped[str | None] = mapped_column(String(36))


class PersonMergeRecord(Base):
    """One person's file merged into another's: who, why, when, and what it carried over,
    so that the merge can be undone exactly."""

    __tablename__ = "person_merges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    survivor_id: Mapped[str] = mapped_column(String(36), index=True)
    merged_id: Mapped[str] = mapped_column(String(36), index=True)
    candidate_id: Mapped[str | None] = mapped_column(String(36))
    carried_groups: Mapped[list[str]] = mapped_column(JSON)
    carried_membership_ids: Mapped[list[int]] = mapped_column(JSON)
    carried_profiles: Mapped[list[str]] = mapped_column(JSON)
    closed_membership_ids: Mapped[list[int]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(200))
    merged_by: Mapped[str] = mapped_column(String(100))
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trace_id: Mapped[str | None] = mapped_column(String(32))
    undone_by: Mapped[str | None] = mapped_column(String(100))
    undo_reason: Mapped[str | None] = mapped_column(String(200))
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undo_trace_id: Mapped[str | None] = mapped_column(String(32))
