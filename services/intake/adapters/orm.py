"""Intake's tables. Names, ID numbers and phones are stored encrypted, found by blind index."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class PersonRecord(Base):
    __tablename__ = "persons"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    full_name_encrypted: Mapped[str] = mapped_column(Text)
    full_name_index: Mapped[str] = mapped_column(String(64), index=True)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    id_number_encrypted: Mapped[str | None] = mapped_column(Text)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(6))
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    residence_region: Mapped[str] = mapped_column(String(12), index=True)
    station_region: Mapped[str] = mapped_column(String(12))
    groups: Mapped[list[str]] = mapped_column(JSON)
    registered_on: Mapped[date | None] = mapped_column(Date)
    registered_by: Mapped[str] = mapped_column(String(100))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
