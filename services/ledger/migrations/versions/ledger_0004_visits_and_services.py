"""visits, visit plans and rules, services and activities

Revision ID: ledger_0004
Revises: ledger_0002
Create Date: 2026-11-23 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0004"
down_revision: str | None = "ledger_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_visit_rules",
        sa.Column("region_prefix", sa.String(length=12), nullable=False),
        sa.Column("group", sa.String(length=40), nullable=False),
        sa.Column("risk_level", sa.String(length=10), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("region_prefix", "group", "risk_level"),
    )
    op.create_table(
        "ledger_visits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=100), nullable=True),
        sa.Column("visitor_kind", sa.String(length=20), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("follow_up_needed", sa.Boolean(), nullable=False),
        sa.Column("crisis_kind", sa.String(length=30), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_visits_person_day", "ledger_visits", ["person_id", "visited_on"])
    op.create_index("ix_ledger_visits_region_day", "ledger_visits", ["region_code", "visited_on"])
    op.create_table(
        "ledger_visit_plans",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=True),
        sa.Column("last_visited_on", sa.Date(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("overdue_due_on", sa.Date(), nullable=True),
        sa.Column("overdue_rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_index(
        op.f("ix_ledger_visit_plans_next_due_on"), "ledger_visit_plans", ["next_due_on"]
    )
    op.create_table(
        "ledger_missed_visits",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("detected_on", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "due_on"),
    )
    op.create_index(
        "ix_ledger_missed_visits_region_due", "ledger_missed_visits", ["region_code", "due_on"]
    )
    op.create_table(
        "ledger_services",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ledger_services_person", "ledger_services", ["person_id"])
    op.create_index(
        "ix_ledger_services_region_day", "ledger_services", ["region_code", "served_on"]
    )
    op.create_table(
        "ledger_activities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("volunteers", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_ledger_activities_region_day", "ledger_activities", ["region_code", "held_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_activities_region_day", table_name="ledger_activities")
    op.drop_table("ledger_activities")
    op.drop_index("ix_ledger_services_region_day", table_name="ledger_services")
    op.drop_index("ix_ledger_services_person", table_name="ledger_services")
    op.drop_table("ledger_services")
    op.drop_index("ix_ledger_missed_visits_region_due", table_name="ledger_missed_visits")
    op.drop_table("ledger_missed_visits")
    op.drop_index(op.f("ix_ledger_visit_plans_next_due_on"), table_name="ledger_visit_plans")
    op.drop_table("ledger_visit_plans")
    op.drop_index("ix_ledger_visits_region_day", table_name="ledger_visits")
    op.drop_index("ix_ledger_visits_person_day", table_name="ledger_visits")
    op.drop_table("ledger_visits")
    op.drop_table("ledger_visit_rules")
