"""bulk import of station ledgers: jobs and a fingerprint per imported row

Revision ID: intake_0005
Revises: intake_0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "intake_0005"
down_revision: str | None = "intake_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("import_fingerprint", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_persons_import_fingerprint", ["import_fingerprint"])
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("already_present", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by", sa.String(100), nullable=False),
        sa.Column("station_region", sa.String(12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trace_id", sa.String(32), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("import_jobs")
    with op.batch_alter_table("persons") as batch:
        batch.drop_constraint("uq_persons_import_fingerprint", type_="unique")
        batch.drop_column("import_fingerprint")
