"""delivery: sealed partner secrets, acknowledgements, dead letters, channels in the log

Revision ID: notify_0002
Revises: notify_0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from uuid_utils.compat import uuid7

from wushe.shared.settings import Settings

revision: str = "notify_0002"
down_revision: str | None = "notify_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The associated data the cipher binds each sealed secret to (see shared/field_encryption.py).
SECRET_COLUMN = "partner_secrets.sealed_secret"


def upgrade() -> None:
    op.create_table(
        "partner_secrets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("partner_id", sa.String(length=36), nullable=False),
        sa.Column("sealed_secret", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_partner_secrets_partner_id", "partner_secrets", ["partner_id"])
    _seal_existing_secrets()
    # A plain ALTER (SQLite 3.35+): batch mode would copy and drop the partners table,
    # which the foreign keys of existing alerts and secrets refuse.
    op.drop_column("partners", "webhook_secret")

    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("rule", sa.String(length=60), nullable=True))
        batch.add_column(
            sa.Column(
                "attempts_before_redelivery", sa.Integer(), nullable=False, server_default="0"
            )
        )
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("acknowledged_by", sa.String(length=100), nullable=True))
        batch.create_index("ix_alerts_rule", ["rule"])
        batch.create_index("ix_alerts_event_type", ["event_type"])
        batch.create_index("ix_alerts_created_at", ["created_at"])

    with op.batch_alter_table("delivery_attempts") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=20), nullable=False, server_default="webhook")
        )
        batch.add_column(
            sa.Column("outcome", sa.String(length=20), nullable=False, server_default="failed")
        )
    op.execute(
        "UPDATE delivery_attempts SET outcome = 'delivered' "
        "WHERE status_code >= 200 AND status_code < 300"
    )


def _seal_existing_secrets() -> None:
    cipher = Settings().field_cipher()
    connection = op.get_bind()
    now = datetime.now(UTC)
    for partner_id, secret in connection.execute(
        sa.text("SELECT id, webhook_secret FROM partners")
    ).all():
        connection.execute(
            sa.text(
                "INSERT INTO partner_secrets (id, partner_id, sealed_secret, created_at) "
                "VALUES (:id, :partner_id, :sealed, :now)"
            ),
            {
                "id": str(uuid7()),
                "partner_id": partner_id,
                "sealed": cipher.encrypt(secret, SECRET_COLUMN),
                "now": now,
            },
        )


def downgrade() -> None:
    raise NotImplementedError("webhook secrets are not decrypted back into a clear column")
