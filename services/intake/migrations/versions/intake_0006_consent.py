"""consents and legal bases: what a person's data may be used for and shared with

Revision ID: intake_0006
Revises: intake_0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "intake_0006"
down_revision: str | None = "intake_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("recipient_kind", sa.String(40), nullable=False),
        sa.Column("given_by", sa.String(10), nullable=False),
        sa.Column("guardian_name_encrypted", sa.Text(), nullable=True),
        sa.Column("guardian_relation", sa.String(20), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("evidence", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revocation_reason", sa.String(200), nullable=True),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_consents_person_id", "consents", ["person_id"])
    op.create_table(
        "legal_bases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("basis", sa.String(30), nullable=False),
        sa.Column("law", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("recipient_kind", sa.String(40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_legal_bases_person_id", "legal_bases", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_legal_bases_person_id", table_name="legal_bases")
    op.drop_table("legal_bases")
    op.drop_index("ix_consents_person_id", table_name="consents")
    op.drop_table("consents")
