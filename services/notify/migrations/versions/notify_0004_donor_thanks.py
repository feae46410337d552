"""donor thanks: the thank-yous owed to donors who gave a contact

Revision ID: notify_0004
Revises: notify_0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_0004"
down_revision: str | None = "notify_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "donor_thanks",
        sa.Column("donation_id", sa.String(36), primary_key=True),
        sa.Column("fund_id", sa.String(36), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("receipt_number", sa.String(60), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("contact_sealed", sa.Text(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_donor_thanks_status", "donor_thanks", ["status"])
    op.create_index("ix_donor_thanks_send_at", "donor_thanks", ["send_at"])


def downgrade() -> None:
    op.drop_index("ix_donor_thanks_send_at", "donor_thanks")
    op.drop_index("ix_donor_thanks_status", "donor_thanks")
    op.drop_table("donor_thanks")
