"""Ledger's tables."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class LedgerFileRecord(Base):
    """One file per person (一人一档)."""

    __tablename__ = "ledger_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), unique=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    groups: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by_event: Mapped[str] = mapped_column(String(36))
    trace_id: Mapped[str | None] = mapped_column(String(32))
