"""time bank: accounts, entries and logged hours

Revision ID: charity_0004
Revises: charity_0001
Create Date: 2026-11-23 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "charity_0004"
down_revision: str | None = "charity_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "time_bank_accounts",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("holder_kind", sa.String(length=10), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("balance_minutes", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance_minutes >= 0", name="ck_time_bank_accounts_not_negative"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("time_bank_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_time_bank_accounts_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "time_bank_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("defaulted", sa.Boolean(), nullable=False),
        sa.Column("source_key", sa.String(length=80), nullable=True),
        sa.Column("source_event_id", sa.String(length=36), nullable=True),
        sa.Column("log_id", sa.String(length=36), nullable=True),
        sa.Column("transfer_id", sa.String(length=36), nullable=True),
        sa.Column("counterpart_account_id", sa.String(length=100), nullable=True),
        sa.Column("reverses_entry_id", sa.String(length=36), nullable=True),
        sa.Column("service_kind", sa.String(length=40), nullable=True),
        sa.Column("beneficiary", sa.String(length=20), nullable=True),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("reason_sealed", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["time_bank_accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("log_id"),
        sa.UniqueConstraint("reverses_entry_id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("time_bank_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_time_bank_entries_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_time_bank_entries_occurred_on"), ["occurred_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_time_bank_entries_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_time_bank_entries_transfer_id"), ["transfer_id"], unique=False
        )

    op.create_table(
        "time_bank_logs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("volunteer_id", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("what_sealed", sa.Text(), nullable=False),
        sa.Column("place_sealed", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason_sealed", sa.Text(), nullable=True),
        sa.Column("entry_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("time_bank_logs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_time_bank_logs_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_time_bank_logs_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_time_bank_logs_volunteer_id"), ["volunteer_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("time_bank_logs")
    op.drop_table("time_bank_entries")
    op.drop_table("time_bank_accounts")
