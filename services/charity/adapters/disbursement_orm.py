"""Disbursements, the donations each one's money came from, and charity's own view of
the persons on the ledger (for group earmarks)."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wushe.charity.adapters.orm import Base


class DisbursementRecord(Base):
    __tablename__ = "disbursements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    project_id: Mapped[str | None] = mapped_column(String(64), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rejection_reason: Mapped[str | None] = mapped_column(String(200))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(200))
    entry_id: Mapped[str | None] = mapped_column(ForeignKey("journal_entries.id"))


class AllocationRecord(Base):
    """So much of a donation paid for so much of a disbursement."""

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    disbursement_id: Mapped[str] = mapped_column(ForeignKey("disbursements.id"), index=True)
    donation_id: Mapped[str] = mapped_column(ForeignKey("donations.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class PersonOnLedger(Base):
    """A person with a ledger file, as the ledger and intake announced them."""

    __tablename__ = "ledger_persons"

    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    groups: Mapped[list[str]] = mapped_column(JSON)
    has_file: Mapped[bool] = mapped_column(default=False)
    merged_into: Mapped[str | None] = mapped_column(String(36))
