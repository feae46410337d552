"""The fund accounts and their journal: entries of lines that sum to zero. Summing
``journal_lines.amount_fen`` per ``account_id`` gives every balance; ``accounts.balance_fen``
caches it, updated in the transaction that posts the lines."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from wushe.charity.adapters.orm import Base


class AccountRecord(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("fund_id", "code"),
        CheckConstraint("NOT holding OR balance_fen >= 0", name="ck_accounts_holding_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    code: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12))
    holding: Mapped[bool] = mapped_column(Boolean)
    restriction_kind: Mapped[str | None] = mapped_column(String(10))
    restriction_target: Mapped[str | None] = mapped_column(String(64))
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JournalEntryRecord(Base):
    __tablename__ = "journal_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    posted_by: Mapped[str] = mapped_column(String(100))
    reversal_of: Mapped[str | None] = mapped_column(ForeignKey("journal_entries.id"))


class JournalLineRecord(Base):
    __tablename__ = "journal_lines"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    entry_id: Mapped[str] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
