"""routing settings version: a counter raised by trigger whenever a table of routing's
settings changes, so that routing reads them again only then

Revision ID: notify_0007
Revises: notify_0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_0007"
down_revision: str | Sequence[str] | None = "notify_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SETTINGS_TABLES = (
    "partners",
    "partner_profiles",
    "subscriptions",
    "subscription_groups",
    "sharing_agreements",
    "rule_settings",
    "region_quiet_hours",
)
_BUMP = "UPDATE routing_settings_version SET version = version + 1"


def upgrade() -> None:
    op.create_table(
        "routing_settings_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO routing_settings_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_routing_settings_version() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {_BUMP}; RETURN NULL; END $$"
        )
        for table in SETTINGS_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_routing_version "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_routing_settings_version()"
            )
        return
    for table in SETTINGS_TABLES:
        for change in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_{change}_routing_version "
                f"AFTER {change.upper()} ON {table} BEGIN {_BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SETTINGS_TABLES:
            op.execute(f"DROP TRIGGER {table}_routing_version ON {table}")
        op.execute("DROP FUNCTION bump_routing_settings_version()")
    else:
        for table in SETTINGS_TABLES:
            for change in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_{change}_routing_version")
    op.drop_table("routing_settings_version")
