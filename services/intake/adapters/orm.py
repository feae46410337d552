"""Intake's tables. Names, ID numbers, phones, addresses and profiles are stored encrypted;
names, ID numbers and phones are found by blind index."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, DateTime, Index, Integer, MetaData, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

metadata = MetaData()


class PersonStatus(StrEnum):
    ACTIVE = "active"
    DECEASED = "deceased"
    MERGED = "merged"


class Base(DeclarativeBase):
    metadata = metadata


class PersonRecord(Base):
    __tablename__ = "persons"
    __table_args__ = (
        Index(
            "ix_persons_unchecked_for_duplicates", "id",
            sqlite_where=text("duplicates_checked_at IS NULL"),
            postgresql_where=text("duplicates_checked_at IS NULL"),
        ),
        # Likely duplicates share a reading of the name and, mostly, a birth date.
        Index("ix_persons_pinyin_birth_date", "full_name_pinyin_index", "birth_date"),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    full_name_encrypted: Mapped[str] = mapped_column(Text)
    full_name_index: Mapped[str] = mapped_column(String(64), index=True)
    full_name_pinyin_index: Mapped[str] = mapped_column(String(64))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_encrypted: Mapped[str | None] = mapped_column(Text)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(6))
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    address_encrypted: Mapped[str | None] = mapped_column(Text)
    profiles_encrypted: Mapped[str | None] = mapped_column(Text)
    # Not indexed: searches match a code prefix, which an index on the column cannot serve.
    residence_region: Mapped[str] = mapped_column(String(12))
    household_region: Mapped[str | None] = mapped_column(String(12))
    station_region: Mapped[str] = mapped_column(String(12))
    groups: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(
        String(12), default=PersonStatus.ACTIVE, server_default=PersonStatus.ACTIVE.value
    )
    deceased_on: Mapped[date | None] = mapped_column(Date)
    registered_on: Mapped[date | None] = mapped_column(Date)
    registered_by: Mapped[str] = mapped_column(String(100))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    import_fingerprint: Mapped[str | None] = mapped_column(String(64), unique=True)
    merged_into: Mapped[str | None] = mapped_column(String(36))
    # Unset until the person has been compared with the others (registrations and imports
    # compare at once; a new name or residence clears it for the background sweep). Only
    # the unset are indexed: the sweep looks for them, and they are few.
    duplicates_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GroupMembershipRecord(Base):
    """A period in a target group; a person's current groups are the open periods."""

    __tablename__ = "group_memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    group: Mapped[str] = mapped_column(String(40))
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    end_reason: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(100))


class PersonChangeRecord(Base):
    """The change history of a person: what changed (field names, never values), who, why."""

    __tablename__ = "person_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    fields: Mapped[list[str]] = mapped_column(JSON)
    detail: Mapped[dict[str, str]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(200))
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_id: Mapped[str | None] = mapped_column(String(36))
    trace_id: Mapped[str | None] = mapped_column(String(32))


class PersonalDataRead(Base):
    """Every read of unmasked personal data: who, what, when, why (访问留痕)."""

    __tablename__ = "personal_data_reads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    reader: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(30))
    fields: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(200))
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trace_id: Mapped[str | None] = mapped_column(String(32))


class ImportJobRecord(Base):
    """A station ledger being imported: its progress, its counts and how it ended."""

    __tablename__ = "import_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(12))
    rows_total: Mapped[int | None] = mapped_column(Integer)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    already_present: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(100))
    station_region: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trace_id: Mapped[str | None] = mapped_column(String(32))
