"""likely duplicates and merges: a keyed hash of each name's pinyin, candidate pairs, merges

Revision ID: intake_0007
Revises: intake_0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wushe.intake.domain.pinyin import toneless_pinyin
from wushe.shared.field_encryption import blind_index
from wushe.shared.settings import Settings

revision: str = "intake_0007"
down_revision: str | None = "intake_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH_ROWS = 1000


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("full_name_pinyin_index", sa.String(64), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.String(36), nullable=True))
        batch.add_column(
            sa.Column("duplicates_checked_at", sa.DateTime(timezone=True), nullable=True)
        )
    _index_existing_names()
    with op.batch_alter_table("persons") as batch:
        batch.alter_column("full_name_pinyin_index", existing_type=sa.String(64), nullable=False)
        batch.create_index("ix_persons_full_name_pinyin_index", ["full_name_pinyin_index"])
        batch.create_index("ix_persons_duplicates_checked_at", ["duplicates_checked_at"])
    op.create_table(
        "duplicate_candidates",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("first_person_id", sa.String(36), nullable=False),
        sa.Column("second_person_id", sa.String(36), nullable=False),
        sa.Column("rule", sa.String(30), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decision_reason", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("merge_id", sa.String(36), nullable=True),
        sa.UniqueConstraint("first_person_id", "second_person_id"),
    )
    for column in ("first_person_id", "second_person_id", "status"):
        op.create_index(f"ix_duplicate_candidates_{column}", "duplicate_candidates", [column])
    op.create_table(
        "person_merges",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("survivor_id", sa.String(36), nullable=False),
        sa.Column("merged_id", sa.String(36), nullable=False),
        sa.Column("candidate_id", sa.String(36), nullable=True),
        sa.Column("carried_groups", sa.JSON(), nullable=False),
        sa.Column("carried_membership_ids", sa.JSON(), nullable=False),
        sa.Column("carried_profiles", sa.JSON(), nullable=False),
        sa.Column("closed_membership_ids", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("merged_by", sa.String(100), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=True),
        sa.Column("undone_by", sa.String(100), nullable=True),
        sa.Column("undo_reason", sa.String(200), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undo_trace_id", sa.String(32), nullable=True),
    )
    for column in ("survivor_id", "merged_id"):
        op.create_index(f"ix_person_merges_{column}", "person_merges", [column])


def _index_existing_names() -> None:
    # Existing persons keep duplicates_checked_at unset: the background sweep compares
    # each of them with the others once, after the upgrade.
    settings = Settings()
    cipher = settings.field_cipher()
    key = settings.data_key.get_secret_value()
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, full_name_encrypted FROM persons")).all()
    update = sa.text("UPDATE persons SET full_name_pinyin_index = :pinyin WHERE id = :id")
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        values = [
            {
                "id": person_id,
                "pinyin": blind_index(
                    toneless_pinyin(cipher.decrypt(sealed, "persons.full_name")),
                    key,
                    "persons.full_name_pinyin",
                ),
            }
            for person_id, sealed in batch
        ]
        connection.execute(update, values)


def downgrade() -> None:
    for column in ("merged_id", "survivor_id"):
        op.drop_index(f"ix_person_merges_{column}", table_name="person_merges")
    op.drop_table("person_merges")
    for column in ("status", "second_person_id", "first_person_id"):
        op.drop_index(f"ix_duplicate_candidates_{column}", table_name="duplicate_candidates")
    op.drop_table("duplicate_candidates")
    with op.batch_alter_table("persons") as batch:
        batch.drop_index("ix_persons_duplicates_checked_at")
        batch.drop_index("ix_persons_full_name_pinyin_index")
        batch.drop_column("duplicates_checked_at")
        batch.drop_column("merged_into")
        batch.drop_column("full_name_pinyin_index")
