"""goods in kind, needs and offers

Revision ID: charity_0003
Revises: charity_0001
Create Date: 2026-11-23 23:36:52.370802
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "charity_0003"
down_revision: str | None = "charity_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goods_stock",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("station_region", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name="ck_goods_stock_quantity_not_negative"),
        sa.CheckConstraint("value_fen >= 0", name="ck_goods_stock_value_not_negative"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_region", "category", "description", "unit"),
    )
    with op.batch_alter_table("goods_stock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_goods_stock_station_region"), ["station_region"], unique=False
        )

    op.create_table(
        "goods_movements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("stock_id", sa.String(length=36), nullable=False),
        sa.Column("station_region", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("quantity_change", sa.BigInteger(), nullable=False),
        sa.Column("value_change_fen", sa.BigInteger(), nullable=False),
        sa.Column("donor_sealed", sa.Text(), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("activity_id", sa.String(length=36), nullable=True),
        sa.Column("recipient_region", sa.String(length=12), nullable=True),
        sa.Column("reverses_id", sa.String(length=36), nullable=True),
        sa.Column("reason_sealed", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reverses_id"], ["goods_movements.id"]),
        sa.ForeignKeyConstraint(["stock_id"], ["goods_stock.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reverses_id"),
    )
    with op.batch_alter_table("goods_movements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_goods_movements_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "ix_goods_movements_region_time", ["station_region", "recorded_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_goods_movements_stock_id"), ["stock_id"], unique=False)

    op.create_table(
        "offers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=100), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offers_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "needs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("posted_by", sa.String(length=100), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(length=100), nullable=True),
        sa.Column("offer_id", sa.String(length=36), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fulfilled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["offer_id"], ["offers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_needs_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_needs_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_needs_region_code"), ["region_code"], unique=False)
        batch_op.create_index("ix_needs_status_region", ["status", "region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_needs_taken_by"), ["taken_by"], unique=False)

    op.create_table(
        "need_steps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("need_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("partner_id", sa.String(length=100), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note_sealed", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["need_id"], ["needs.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("need_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_steps_need_id"), ["need_id"], unique=False)
        batch_op.create_index(
            "ix_need_steps_region_time", ["region_code", "occurred_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("need_steps")
    op.drop_table("needs")
    op.drop_table("offers")
    op.drop_table("goods_movements")
    op.drop_table("goods_stock")
