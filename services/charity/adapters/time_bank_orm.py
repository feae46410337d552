"""The time bank's tables: accounts with a cached balance, every movement as an entry,
and the hours volunteers log for the station to confirm."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from wushe.charity.adapters.orm import Base


class TimeBankAccount(Base):
    """A volunteer's hours, or a community's pool of donated hours (id ``pool:<region>``).

    ``balance_minutes`` caches the sum of the account's entries; the row is locked for
    every movement so that concurrent spendings cannot overdraw it.
    """

    __tablename__ = "time_bank_accounts"
    __table_args__ = (
        CheckConstraint("balance_minutes >= 0", name="ck_time_bank_accounts_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder_kind: Mapped[str] = mapped_column(String(10))
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    balance_minutes: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TimeBankEntry(Base):
    """One movement of minutes on one account, never edited: a correction is another
    entry that reverses it. ``source_key`` names the ledger's service or visit a credit
    came from, so that no service is credited twice."""

    __tablename__ = "time_bank_entries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("time_bank_accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    defaulted: Mapped[bool] = mapped_column(Boolean, default=False)
    source_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    source_event_id: Mapped[str | None] = mapped_column(String(36))
    log_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    transfer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    counterpart_account_id: Mapped[str | None] = mapped_column(String(100))
    reverses_entry_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    service_kind: Mapped[str | None] = mapped_column(String(40))
    beneficiary: Mapped[str | None] = mapped_column(String(20))
    person_id: Mapped[str | None] = mapped_column(String(36))
    reason_sealed: Mapped[str | None] = mapped_column(Text)


class TimeBankLog(Base):
    """Hours a volunteer logged; they count only once the station confirms them.
    What and where are free text that may name someone, so they are stored sealed."""

    __tablename__ = "time_bank_logs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volunteer_id: Mapped[str] = mapped_column(String(100), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    served_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    what_sealed: Mapped[str] = mapped_column(Text)
    place_sealed: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    logged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason_sealed: Mapped[str | None] = mapped_column(Text)
    entry_id: Mapped[str | None] = mapped_column(String(36))
