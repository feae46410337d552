"""Charity's tables."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

metadata = MetaData()


class Base(DeclarativeBase):
    metadata = metadata


class FundRecord(Base):
    __tablename__ = "funds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    manager_partner_ids: Mapped[list[str]] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReceiptCounter(Base):
    """Next receipt sequence per fund and year; numbers are never reused."""

    __tablename__ = "receipt_counters"

    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer)


class DonationRecord(Base):
    __tablename__ = "donations"
    __table_args__ = (UniqueConstraint("fund_id", "receipt_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(20))
    donor_name: Mapped[str | None] = mapped_column(String(100))
    anonymous: Mapped[bool] = mapped_column(Boolean)
    receipt_number: Mapped[str] = mapped_column(String(40))
    received_by: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
