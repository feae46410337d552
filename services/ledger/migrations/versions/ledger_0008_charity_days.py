"""charity's money and goods per region and day, for the reports

Revision ID: ledger_0008
Revises: ledger_0002
Create Date: 2026-11-24 23:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0008"
down_revision: str | None = "ledger_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_charity_days",
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("donations", sa.Integer(), nullable=False),
        sa.Column("raised_fen", sa.BigInteger(), nullable=False),
        sa.Column("disbursed_fen", sa.BigInteger(), nullable=False),
        sa.Column("goods_received_fen", sa.BigInteger(), nullable=False),
        sa.Column("goods_given_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("region_code", "day"),
    )


def downgrade() -> None:
    op.drop_table("ledger_charity_days")
