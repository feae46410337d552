"""Ledger's tables for visits, visit plans and rules, services and activities.

All rows come from events (``visit_rule.set``, ``visit.recorded``, ``visit.overdue``,
``visit.escalated``, ``service.recorded``, ``activity.held``, and intake's events about
the person for the plan), so a rebuild writes the same rows.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wushe.ledger.adapters.orm import Base


class VisitRuleRecord(Base):
    """A region's own interval for a group; ``risk_level`` empty means every level."""

    __tablename__ = "ledger_visit_rules"

    region_prefix: Mapped[str] = mapped_column(String(12), primary_key=True)
    group: Mapped[str] = mapped_column(String(40), primary_key=True)
    risk_level: Mapped[str] = mapped_column(String(10), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    interval_days: Mapped[int] = mapped_column(Integer)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    set_by: Mapped[str | None] = mapped_column(String(100))


class VisitRecord(Base):
    """One visit to one person; ``region_code`` is where the file was when visited."""

    __tablename__ = "ledger_visits"
    __table_args__ = (
        Index("ix_ledger_visits_person_day", "person_id", "visited_on"),
        Index("ix_ledger_visits_region_day", "region_code", "visited_on"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36))
    visited_on: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str | None] = mapped_column(String(100))
    visitor_kind: Mapped[str] = mapped_column(String(20))
    services: Mapped[list[str]] = mapped_column(JSON)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    findings: Mapped[str | None] = mapped_column(Text)  # sealed
    follow_up_needed: Mapped[bool] = mapped_column(Boolean)
    crisis_kind: Mapped[str | None] = mapped_column(String(30))
    region_code: Mapped[str] = mapped_column(String(12))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VisitPlanRecord(Base):
    """When a person's next visit is due, and how far a missed one has gone up the chain.

    ``overdue_rank`` counts for the missed visit due on ``overdue_due_on`` only: 1 once
    it was reported overdue, one more per escalation; a visit moves ``next_due_on`` on
    and so ends it.
    """

    __tablename__ = "ledger_visit_plans"

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    interval_days: Mapped[int | None] = mapped_column(Integer)
    last_visited_on: Mapped[date | None] = mapped_column(Date)
    next_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    overdue_due_on: Mapped[date | None] = mapped_column(Date)
    overdue_rank: Mapped[int] = mapped_column(Integer)


class MissedVisitRecord(Base):
    """A missed visit, as ``visit.overdue`` reported it: what the reports count."""

    __tablename__ = "ledger_missed_visits"
    __table_args__ = (Index("ix_ledger_missed_visits_region_due", "region_code", "due_on"),)

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    detected_on: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(12))


class ServiceRecord(Base):
    """One individual service to one person (one service-time, 服务人次)."""

    __tablename__ = "ledger_services"
    __table_args__ = (
        Index("ix_ledger_services_region_day", "region_code", "served_on"),
        Index("ix_ledger_services_person", "person_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    served_on: Mapped[date] = mapped_column(Date)
    provider: Mapped[str | None] = mapped_column(String(100))
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(12))


class ActivityRecord(Base):
    """A group activity a station held, with how many took part."""

    __tablename__ = "ledger_activities"
    __table_args__ = (Index("ix_ledger_activities_region_day", "region_code", "held_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[int] = mapped_column(Integer)
    volunteers: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str | None] = mapped_column(String(100))
