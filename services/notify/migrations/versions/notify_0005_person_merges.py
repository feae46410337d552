"""person merges: the files intake merged, so that their consents follow the survivor

Revision ID: notify_0005
Revises: notify_0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notify_0005"
down_revision: str | None = "notify_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_merges",
        sa.Column("merged_id", sa.String(36), primary_key=True),
        sa.Column("survivor_id", sa.String(36), nullable=False),
        sa.Column("merge_id", sa.String(36), nullable=False),
    )
    op.create_index("ix_person_merges_survivor_id", "person_merges", ["survivor_id"])


def downgrade() -> None:
    op.drop_index("ix_person_merges_survivor_id", "person_merges")
    op.drop_table("person_merges")
