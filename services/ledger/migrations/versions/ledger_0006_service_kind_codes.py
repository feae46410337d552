"""services' kind wide enough for the longest service code (psychological_comfort)

Revision ID: ledger_0006
Revises: ledger_0004
Create Date: 2026-11-23 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ledger_0006"
down_revision: str | None = "ledger_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_services", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=20), type_=sa.String(length=40),
            existing_nullable=False,
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("ledger_services", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=40), type_=sa.String(length=20),
            existing_nullable=False,
        )  # fmt: skip
