"""sharing and rules: partner profiles, agreements, consents, offers, rule settings,
quiet hours, routed alerts, digests and the sharing ledger

Revision ID: notify_0003
Revises: notify_0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_0003"
down_revision: str | None = "notify_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "sharing_agreements": ["partner_id"],
    "person_consents": ["person_id"],
    "partner_offers": ["partner_id"],
    "routed_alerts": ["partner_id", "rule", "merge_key", "escalate_at", "created_at"],
    "digest_items": ["partner_id", "digest_alert_id"],
    "sharing_ledger": ["person_id", "partner_id", "alert_id", "shared_at"],
}


def upgrade() -> None:
    op.create_table(
        "partner_profiles",
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("contacts_sealed", sa.Text(), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("sms_number", sa.String(length=20), nullable=True),
        sa.Column("quiet_from", sa.String(length=5), nullable=True),
        sa.Column("quiet_until", sa.String(length=5), nullable=True),
        sa.Column("digest_at", sa.String(length=5), nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"]),
        sa.PrimaryKeyConstraint("partner_id"),
    )
    op.create_table(
        "subscription_groups",
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"]),
        sa.PrimaryKeyConstraint("subscription_id"),
    )
    op.create_table(
        "sharing_agreements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "person_consents",
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("recipient_kind", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("consent_id"),
    )
    op.create_table(
        "partner_offers",
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=100), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("offer_id"),
    )
    op.create_table(
        "rule_settings",
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("recipient_kinds", sa.JSON(), nullable=True),
        sa.Column("escalate_after_minutes", sa.Integer(), nullable=True),
        sa.Column("merge_window_minutes", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("rule", "region_code"),
    )
    op.create_table(
        "region_quiet_hours",
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("quiet_from", sa.String(length=5), nullable=False),
        sa.Column("quiet_until", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("region_code"),
    )
    op.create_table(
        "routed_alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("merge_key", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("merged_event_ids", sa.JSON(), nullable=False),
        sa.Column("escalate_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_of", sa.String(length=36), nullable=True),
        sa.Column("escalation_event", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "digest_items",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_alert_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sharing_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("fields_shared", sa.JSON(), nullable=False),
        sa.Column("fields_withheld", sa.JSON(), nullable=False),
        sa.Column("withheld_because", sa.String(length=40), nullable=True),
        sa.Column("agreement_id", sa.String(length=36), nullable=True),
        sa.Column("consent_id", sa.String(length=36), nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for table, columns in INDEXES.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.create_index(f"ix_{table}_{column}", [column], unique=False)


def downgrade() -> None:
    for table, columns in INDEXES.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.drop_index(f"ix_{table}_{column}")
    for table in (
        "sharing_ledger",
        "digest_items",
        "routed_alerts",
        "region_quiet_hours",
        "rule_settings",
        "partner_offers",
        "person_consents",
        "sharing_agreements",
        "subscription_groups",
        "partner_profiles",
    ):
        op.drop_table(table)
