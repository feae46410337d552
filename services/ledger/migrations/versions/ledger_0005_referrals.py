"""referrals to partner agencies and their steps

Revision ID: ledger_0005
Revises: ledger_0002
Create Date: 2026-11-23 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0005"
down_revision: str | None = "ledger_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_referrals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("partner_kind", sa.String(length=40), nullable=False),
        sa.Column("urgency", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("referred_by", sa.String(length=100), nullable=True),
        sa.Column("legal_basis", sa.String(length=60), nullable=True),
        sa.Column("legal_basis_note", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("complete_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("escalated", sa.String(length=12), nullable=True),
        sa.Column("resends", sa.String(length=36), nullable=True),
        sa.Column("resent_as", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ledger_referrals", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_referrals_person_id", ["person_id"], unique=False)
        batch_op.create_index("ix_ledger_referrals_partner_id", ["partner_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_referrals_status_region", ["status", "region_code"], unique=False
        )

    op.create_table(
        "ledger_referral_steps",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("trace_id", sa.String(length=32), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("ledger_referral_steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_referral_steps_referral", ["referral_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("ledger_referral_steps")
    op.drop_table("ledger_referrals")
