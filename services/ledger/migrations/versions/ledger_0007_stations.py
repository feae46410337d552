"""stations: one per township, with the dates it was built, began and stopped operating

Revision ID: ledger_0007
Revises: ledger_0002
Create Date: 2026-11-24 23:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0007"
down_revision: str | None = "ledger_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_stations",
        sa.Column("region_code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("built_on", sa.Date(), nullable=True),
        sa.Column("operating_since", sa.Date(), nullable=True),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column("social_workers", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("region_code"),
    )


def downgrade() -> None:
    op.drop_table("ledger_stations")
