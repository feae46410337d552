"""Charity's tables: funds, donors, donations and receipt counters."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
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
    kind: Mapped[str] = mapped_column(String(12), default="community")
    status: Mapped[str] = mapped_column(String(12), default="launched")
    goal_fen: Mapped[int | None] = mapped_column(BigInteger)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    balance_low_threshold_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class ReceiptCounter(Base):
    """Next receipt sequence per fund and year; numbers are never reused."""

    __tablename__ = "receipt_counters"

    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer)


class DonorRecord(Base):
    """An individual or organisation that gives; name and contact sealed."""

    __tablename__ = "donors"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    name_encrypted: Mapped[str] = mapped_column(Text)
    contact_encrypted: Mapped[str | None] = mapped_column(Text)
    # Where it was recorded: who may read the name follows the region hierarchy.
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DonationRecord(Base):
    """A donation and its history: reversed donations keep their row and status."""

    __tablename__ = "donations"
    __table_args__ = (UniqueConstraint("fund_id", "receipt_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    channel: Mapped[str] = mapped_column(String(20))
    donor_id: Mapped[str | None] = mapped_column(ForeignKey("donors.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    receipt_number: Mapped[str] = mapped_column(String(40))
    received_by: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    restriction_kind: Mapped[str | None] = mapped_column(String(10))
    restriction_target: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    entry_id: Mapped[str] = mapped_column(String(36))
    # What of the donation no disbursement has taken yet; a holding account's balance is
    # the sum of this over its donations still received.
    unallocated_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default="received")
    reversal_entry_id: Mapped[str | None] = mapped_column(String(36))
    reversal_reason: Mapped[str | None] = mapped_column(String(200))
    reversed_by: Mapped[str | None] = mapped_column(String(100))
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    corrects_id: Mapped[str | None] = mapped_column(String(36))
    corrected_by_id: Mapped[str | None] = mapped_column(String(36))
    # "platform:transaction" of a donation an online platform reported: recorded once.
    external_reference: Mapped[str | None] = mapped_column(String(120), unique=True)
