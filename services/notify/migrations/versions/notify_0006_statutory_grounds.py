"""statutory grounds: an agreement may share without consent under a ground of law, and
the sharing ledger names the ground; merges the delivered-channels and merges heads

Revision ID: notify_0006
Revises: notify_0002a, notify_0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_0006"
down_revision: str | Sequence[str] | None = ("notify_0002a", "notify_0005")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sharing_agreements") as batch:
        batch.add_column(sa.Column("statutory_ground", sa.String(60), nullable=True))
        batch.add_column(sa.Column("statutory_note", sa.String(500), nullable=True))
    with op.batch_alter_table("sharing_ledger") as batch:
        batch.add_column(sa.Column("statutory_ground", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sharing_ledger") as batch:
        batch.drop_column("statutory_ground")
    with op.batch_alter_table("sharing_agreements") as batch:
        batch.drop_column("statutory_note")
        batch.drop_column("statutory_ground")
