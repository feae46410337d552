"""disbursements: the requester's reason for withdrawing a request

Revision ID: charity_0005
Revises: charity_0002
Create Date: 2026-11-24 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "charity_0005"
down_revision: str | None = "charity_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disbursements") as batch:
        batch.add_column(sa.Column("withdrawal_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("disbursements") as batch:
        batch.drop_column("withdrawal_reason")
