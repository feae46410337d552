"""Charity's money and goods as the reports sum them: per region and day (China time),
added to as charity's events arrive, so that a month's figures are a sum of days."""

from datetime import date

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wushe.ledger.adapters.orm import Base


class CharityDayRecord(Base):
    __tablename__ = "ledger_charity_days"

    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    # Kept: donations received less those refunded (a correction replaces one by another).
    donations: Mapped[int] = mapped_column(Integer, default=0)
    raised_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    disbursed_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    goods_received_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    goods_given_fen: Mapped[int] = mapped_column(BigInteger, default=0)
