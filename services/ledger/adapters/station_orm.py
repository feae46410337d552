"""The township social-work stations, as the last ``station.recorded`` of each left them."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wushe.ledger.adapters.orm import Base


class StationRecord(Base):
    __tablename__ = "ledger_stations"

    # One station per township: its 9-digit code.
    region_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))
    built_on: Mapped[date | None] = mapped_column(Date)
    operating_since: Mapped[date | None] = mapped_column(Date)
    suspended_on: Mapped[date | None] = mapped_column(Date)
    social_workers: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str | None] = mapped_column(String(100))
