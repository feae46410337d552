"""Thank-yous owed to donors who gave a contact: one per donation, the contact sealed."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wushe.notify.adapters.orm import Base


class DonorThanksRecord(Base):
    __tablename__ = "donor_thanks"

    # The donation is the idempotency key: a donor is thanked once for it.
    donation_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fund_id: Mapped[str] = mapped_column(String(36))
    region_code: Mapped[str] = mapped_column(String(12))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    receipt_number: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(10))
    # Sealed with the field cipher; none once the donor has been thanked.
    contact_sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    send_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
