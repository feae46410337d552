"""index only the persons not yet compared for likely duplicates

Revision ID: intake_0008
Revises: intake_0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "intake_0008"
down_revision: str | None = "intake_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNCHECKED = sa.text("duplicates_checked_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_persons_duplicates_checked_at", table_name="persons")
    op.create_index(
        "ix_persons_unchecked_for_duplicates", "persons", ["id"],
        sqlite_where=UNCHECKED, postgresql_where=UNCHECKED,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_persons_unchecked_for_duplicates", table_name="persons")
    op.create_index("ix_persons_duplicates_checked_at", "persons", ["duplicates_checked_at"])
