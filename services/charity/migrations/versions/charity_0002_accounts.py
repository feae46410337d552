"""double-entry accounts: donors sealed, accounts, journal, disbursements, campaigns

Donor names move out of ``donations.donor_name`` into sealed ``donors`` rows, and every
existing donation is posted to the journal of its fund's new accounts.

Revision ID: charity_0002
Revises: charity_0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wushe.charity.adapters.donations_backfill import post_existing_donations

revision: str = "charity_0002"
down_revision: str | None = "charity_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(36)
FEN = sa.BigInteger()
WHEN = sa.DateTime(timezone=True)
ROW_NUMBER = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("funds") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(12), nullable=False, server_default="community")
        )
        batch.add_column(
            sa.Column("status", sa.String(12), nullable=False, server_default="launched")
        )
        batch.add_column(sa.Column("goal_fen", FEN, nullable=True))
        batch.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("balance_low_threshold_fen", FEN, nullable=False, server_default="0")
        )
    op.create_table(
        "donors",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("name_encrypted", sa.Text(), nullable=False),
        sa.Column("contact_encrypted", sa.Text(), nullable=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
    )
    op.create_index("ix_donors_region_code", "donors", ["region_code"])
    _create_journal_tables()
    with op.batch_alter_table("donations") as batch:
        batch.add_column(sa.Column("donor_id", ID, nullable=True))
        batch.add_column(sa.Column("restriction_kind", sa.String(10), nullable=True))
        batch.add_column(sa.Column("restriction_target", sa.String(64), nullable=True))
        batch.add_column(sa.Column("account_id", ID, nullable=True))
        batch.add_column(sa.Column("entry_id", ID, nullable=True))
        batch.add_column(sa.Column("unallocated_fen", FEN, nullable=True))
        batch.add_column(sa.Column("status", sa.String(12), nullable=True))
        batch.add_column(sa.Column("reversal_entry_id", ID, nullable=True))
        batch.add_column(sa.Column("reversal_reason", sa.String(200), nullable=True))
        batch.add_column(sa.Column("reversed_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("reversed_at", WHEN, nullable=True))
        batch.add_column(sa.Column("corrects_id", ID, nullable=True))
        batch.add_column(sa.Column("corrected_by_id", ID, nullable=True))
        batch.add_column(sa.Column("external_reference", sa.String(120), nullable=True))
        batch.create_unique_constraint("uq_donations_external_reference", ["external_reference"])
        batch.create_foreign_key("fk_donations_donor_id_donors", "donors", ["donor_id"], ["id"])
        batch.create_index("ix_donations_donor_id", ["donor_id"])
        batch.create_index("ix_donations_account_id", ["account_id"])
    post_existing_donations(op.get_bind())
    with op.batch_alter_table("donations") as batch:
        for column, kind in (("account_id", ID), ("entry_id", ID), ("unallocated_fen", FEN),
                             ("status", sa.String(12))):  # fmt: skip
            batch.alter_column(column, existing_type=kind, nullable=False)
        batch.drop_column("donor_name")
    _create_disbursement_tables()


def _create_journal_tables() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", ID, primary_key=True),
        sa.Column("fund_id", ID, sa.ForeignKey("funds.id"), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("holding", sa.Boolean(), nullable=False),
        sa.Column("restriction_kind", sa.String(10), nullable=True),
        sa.Column("restriction_target", sa.String(64), nullable=True),
        sa.Column("balance_fen", FEN, nullable=False),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.UniqueConstraint("fund_id", "code"),
        sa.CheckConstraint(
            "NOT holding OR balance_fen >= 0", name="ck_accounts_holding_not_negative"
        ),
    )
    op.create_index("ix_accounts_fund_id", "accounts", ["fund_id"])
    op.create_table(
        "journal_entries",
        sa.Column("id", ID, primary_key=True),
        sa.Column("fund_id", ID, sa.ForeignKey("funds.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("posted_at", WHEN, nullable=False),
        sa.Column("posted_by", sa.String(100), nullable=False),
        sa.Column("reversal_of", ID, sa.ForeignKey("journal_entries.id"), nullable=True),
    )
    op.create_index("ix_journal_entries_fund_id", "journal_entries", ["fund_id"])
    op.create_index("ix_journal_entries_posted_at", "journal_entries", ["posted_at"])
    op.create_table(
        "journal_lines",
        sa.Column("id", ROW_NUMBER, primary_key=True, autoincrement=True),
        sa.Column("entry_id", ID, sa.ForeignKey("journal_entries.id"), nullable=False),
        sa.Column("account_id", ID, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("amount_fen", FEN, nullable=False),
    )
    op.create_index("ix_journal_lines_entry_id", "journal_lines", ["entry_id"])
    op.create_index("ix_journal_lines_account_id", "journal_lines", ["account_id"])


def _create_disbursement_tables() -> None:
    op.create_table(
        "disbursements",
        sa.Column("id", ID, primary_key=True),
        sa.Column("fund_id", ID, sa.ForeignKey("funds.id"), nullable=False),
        sa.Column("account_id", ID, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("person_id", ID, nullable=True),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("amount_fen", FEN, nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=False),
        sa.Column("requested_at", WHEN, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("rejection_reason", sa.String(200), nullable=True),
        sa.Column("entry_id", ID, sa.ForeignKey("journal_entries.id"), nullable=True),
    )
    for column in ("fund_id", "person_id", "project_id"):
        op.create_index(f"ix_disbursements_{column}", "disbursements", [column])
    op.create_table(
        "allocations",
        sa.Column("id", ROW_NUMBER, primary_key=True, autoincrement=True),
        sa.Column("disbursement_id", ID, sa.ForeignKey("disbursements.id"), nullable=False),
        sa.Column("donation_id", ID, sa.ForeignKey("donations.id"), nullable=False),
        sa.Column("amount_fen", FEN, nullable=False),
    )
    op.create_index("ix_allocations_disbursement_id", "allocations", ["disbursement_id"])
    op.create_index("ix_allocations_donation_id", "allocations", ["donation_id"])
    op.create_table(
        "ledger_persons",
        sa.Column("person_id", ID, primary_key=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("has_file", sa.Boolean(), nullable=False),
        sa.Column("merged_into", ID, nullable=True),
    )


def downgrade() -> None:
    raise NotImplementedError("donor names are not decrypted back into a clear column")
