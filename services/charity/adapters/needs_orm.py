"""Needs stations post, the offers organisations post, and every step of each need.

Free text that may be about a person (fulfilment notes, reasons) is stored sealed.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wushe.charity.adapters.orm import Base


class OfferRecord(Base):
    """What one organisation can provide (供给清单)."""

    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(100), index=True)
    kinds: Mapped[list[str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)
    capacity: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(200))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NeedRecord(Base):
    """One need (需求); ``taken_by`` is the organisation that took it, under ``offer_id``."""

    __tablename__ = "needs"
    __table_args__ = (Index("ix_needs_status_region", "status", "region_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    posted_by: Mapped[str] = mapped_column(String(100))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    taken_by: Mapped[str | None] = mapped_column(String(100), index=True)
    offer_id: Mapped[str | None] = mapped_column(ForeignKey("offers.id"), index=True)
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fulfilled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NeedStepRecord(Base):
    """One step of a need's history: what happened, who did it, when."""

    __tablename__ = "need_steps"
    __table_args__ = (Index("ix_need_steps_region_time", "region_code", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    need_id: Mapped[str] = mapped_column(ForeignKey("needs.id"), index=True)
    step: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(12))
    region_code: Mapped[str] = mapped_column(String(12))
    partner_id: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(100))
    note_sealed: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
