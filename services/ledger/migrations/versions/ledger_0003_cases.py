"""cases: the case, its steps, goals, conferences and risk changes

Revision ID: ledger_0003
Revises: ledger_0002
Create Date: 2026-11-23 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0003"
down_revision: str | None = "ledger_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("open_kind", sa.String(length=20), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("risk_level", sa.String(length=10), nullable=False),
        sa.Column("social_worker", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closing_reason", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "open_kind", name="uq_ledger_cases_open_kind"),
    )
    op.create_index(op.f("ix_ledger_cases_person_id"), "ledger_cases", ["person_id"])
    op.create_table(
        "ledger_case_steps",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("closing_reason", sa.String(length=20), nullable=True),
        sa.Column("satisfaction", sa.JSON(), nullable=True),
        sa.Column("satisfaction_comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(op.f("ix_ledger_case_steps_case_id"), "ledger_case_steps", ["case_id"])
    op.create_table(
        "ledger_case_goals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evaluated_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_ledger_case_goals_case_id"), "ledger_case_goals", ["case_id"])
    op.create_table(
        "ledger_case_conferences",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_ledger_case_conferences_case_id"), "ledger_case_conferences", ["case_id"]
    )
    op.create_table(
        "ledger_case_risk_changes",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("from_level", sa.String(length=10), nullable=False),
        sa.Column("to_level", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(
        op.f("ix_ledger_case_risk_changes_case_id"), "ledger_case_risk_changes", ["case_id"]
    )


def downgrade() -> None:
    for table in (
        "ledger_case_risk_changes",
        "ledger_case_conferences",
        "ledger_case_goals",
        "ledger_case_steps",
    ):
        op.drop_index(op.f(f"ix_{table}_case_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_ledger_cases_person_id"), table_name="ledger_cases")
    op.drop_table("ledger_cases")
