"""Referrals to partner agencies and every step of each one, as their events told them.

Free text about the person (reason, notes, outcome) is stored sealed as it travelled.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wushe.ledger.adapters.orm import Base


class ReferralRecord(Base):
    """One referral (转介单). ``region_code`` is the file's region when it was sent."""

    __tablename__ = "ledger_referrals"
    __table_args__ = (Index("ix_ledger_referrals_status_region", "status", "region_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), index=True)
    case_id: Mapped[str | None] = mapped_column(String(36))
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    partner_kind: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    region_code: Mapped[str] = mapped_column(String(12))
    groups: Mapped[list[str]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    referred_by: Mapped[str | None] = mapped_column(String(100))
    legal_basis: Mapped[str | None] = mapped_column(String(60))
    legal_basis_note: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    respond_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    complete_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    escalated: Mapped[str | None] = mapped_column(String(12))
    resends: Mapped[str | None] = mapped_column(String(36))
    resent_as: Mapped[str | None] = mapped_column(String(36))


class ReferralStepRecord(Base):
    """One step of a referral's history: what happened, who, when, and its trace."""

    __tablename__ = "ledger_referral_steps"
    __table_args__ = (Index("ix_ledger_referral_steps_referral", "referral_id", "occurred_at"),)

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    referral_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(100))
    trace_id: Mapped[str | None] = mapped_column(String(32))
    details: Mapped[dict[str, object]] = mapped_column(JSON)
