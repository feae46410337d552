"""Ledger's tables: the files, their timelines and what the ledger knows of consent.

Every row is derived from events (intake's, and the ledger's own), with ids and times
taken from the events, so that replaying the topics into an empty database rebuilds
the same rows.
"""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Index, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class LedgerFileRecord(Base):
    """One file per person (一人一档).

    ``region_code`` is where the person lives now, so the station of that region holds
    the file; a relocation hands it over. A merged file points at its survivor.
    """

    __tablename__ = "ledger_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), unique=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    groups: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by_event: Mapped[str] = mapped_column(String(36))
    trace_id: Mapped[str | None] = mapped_column(String(32))
    station_region: Mapped[str | None] = mapped_column(String(12))
    household_region: Mapped[str | None] = mapped_column(String(12))
    sex: Mapped[str | None] = mapped_column(String(6))
    age_band: Mapped[str | None] = mapped_column(String(5))
    merged_into: Mapped[str | None] = mapped_column(String(36), index=True)
    died_on: Mapped[date | None] = mapped_column(Date)


class TimelineEntryRecord(Base):
    """Something that happened to a person, anywhere on the platform.

    Keyed by the event and the person, because one event (a merge) can be on two files.
    ``details`` holds what the event said, without personal data in clear.
    """

    __tablename__ = "ledger_timeline"
    __table_args__ = (Index("ix_ledger_timeline_person_time", "person_id", "occurred_at"),)

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(60))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str | None] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12))
    trace_id: Mapped[str | None] = mapped_column(String(32))
    details: Mapped[dict[str, object]] = mapped_column(JSON)


class ConsentRecord(Base):
    """A consent as intake's events described it: enough to decide whether to share."""

    __tablename__ = "ledger_consents"

    consent_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    recipient_kind: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
