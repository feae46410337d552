"""Goods in kind: stock per station and item, and every movement in and out of it.

Stock rows hold running totals that movements change in the same transaction; a
correction is another movement that reverses one, never an edit.
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from wushe.charity.adapters.orm import Base


class GoodsStockRecord(Base):
    """One item at one station: what is in stock and its value."""

    __tablename__ = "goods_stock"
    __table_args__ = (
        UniqueConstraint("station_region", "category", "description", "unit"),
        CheckConstraint("quantity >= 0", name="ck_goods_stock_quantity_not_negative"),
        CheckConstraint("value_fen >= 0", name="ck_goods_stock_value_not_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_region: Mapped[str] = mapped_column(String(12), index=True)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(BigInteger)
    value_fen: Mapped[int] = mapped_column(BigInteger)


class GoodsMovementRecord(Base):
    """A receipt (``received``) or distribution (``distributed``), or the reversal of one
    (same kind, ``reverses_id`` set, opposite changes)."""

    __tablename__ = "goods_movements"
    __table_args__ = (
        Index("ix_goods_movements_region_time", "station_region", "recorded_at"),
        UniqueConstraint("reverses_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stock_id: Mapped[str] = mapped_column(ForeignKey("goods_stock.id"), index=True)
    station_region: Mapped[str] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))
    quantity_change: Mapped[int] = mapped_column(BigInteger)
    value_change_fen: Mapped[int] = mapped_column(BigInteger)
    donor_sealed: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[str | None] = mapped_column(String(36), index=True)
    activity_id: Mapped[str | None] = mapped_column(String(36))
    recipient_region: Mapped[str | None] = mapped_column(String(12))
    reverses_id: Mapped[str | None] = mapped_column(ForeignKey("goods_movements.id"))
    reason_sealed: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
