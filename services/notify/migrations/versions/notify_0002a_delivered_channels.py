"""delivery: the channels each alert has reached

Revision ID: notify_0002a
Revises: notify_0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_0002a"
down_revision: str | None = "notify_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(
            sa.Column("delivered_channels", sa.JSON(), nullable=False, server_default="[]")
        )
    # Alerts delivered before this revision went by webhook, the only channel there was.
    op.execute("UPDATE alerts SET delivered_channels = '[\"webhook\"]' WHERE status = 'delivered'")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("delivered_channels")
