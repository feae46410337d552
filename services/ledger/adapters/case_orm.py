"""Ledger's tables for cases: the case, its moves between stages, goals, conferences
and risk changes.

All rows come from the ``case.*`` events, with ids and times from the events; columns
marked sealed hold the encrypted text as the event carried it.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wushe.ledger.adapters.orm import Base


class CaseRecord(Base):
    """One case of one person; ``region_code`` is where the file was when it was opened.

    ``open_kind`` is the kind while the case is open and empty once closed, so that the
    database too refuses a second open case of a kind for the person.
    """

    __tablename__ = "ledger_cases"
    __table_args__ = (UniqueConstraint("person_id", "open_kind", name="uq_ledger_cases_open_kind"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    open_kind: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20))
    risk_level: Mapped[str] = mapped_column(String(10))
    social_worker: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closing_reason: Mapped[str | None] = mapped_column(String(20))


class CaseStepRecord(Base):
    """One move of a case between stages (opening, closing and reopening included); a
    closing keeps the person's survey, so that a reopened case's earlier one stays."""

    __tablename__ = "ledger_case_steps"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)  # sealed
    closing_reason: Mapped[str | None] = mapped_column(String(20))
    satisfaction: Mapped[dict[str, int] | None] = mapped_column(JSON)
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)  # sealed


class CaseGoalRecord(Base):
    __tablename__ = "ledger_case_goals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    description: Mapped[str] = mapped_column(Text)  # sealed
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    set_by: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str | None] = mapped_column(Text)  # sealed
    evaluated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evaluated_by: Mapped[str | None] = mapped_column(String(100))


class CaseConferenceRecord(Base):
    """A case conference (个案会商): the agencies by kind and name, what they decided."""

    __tablename__ = "ledger_case_conferences"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    agencies: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    decisions: Mapped[str] = mapped_column(Text)  # sealed
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(100))


class CaseRiskChangeRecord(Base):
    __tablename__ = "ledger_case_risk_changes"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    from_level: Mapped[str] = mapped_column(String(10))
    to_level: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)  # sealed
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str | None] = mapped_column(String(100))
