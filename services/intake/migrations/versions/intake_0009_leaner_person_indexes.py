"""persons: drop the region indexes no query can use; pinyin indexed with birth date

Searches by residence and station match a code prefix (LIKE '4207%'), which neither
SQLite nor PostgreSQL answers from these indexes, yet every insert paid for them. Likely
duplicates are looked up by pinyin reading and then birth date: with both in one index,
a common reading's persons born on other days are passed over without reading their rows.

Revision ID: intake_0009
Revises: intake_0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "intake_0009"
down_revision: str | None = "intake_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_persons_residence_region", table_name="persons")
    op.drop_index("ix_persons_station_region", table_name="persons")
    op.create_index(
        "ix_persons_pinyin_birth_date", "persons", ["full_name_pinyin_index", "birth_date"]
    )
    op.drop_index("ix_persons_full_name_pinyin_index", table_name="persons")


def downgrade() -> None:
    op.create_index("ix_persons_full_name_pinyin_index", "persons", ["full_name_pinyin_index"])
    op.drop_index("ix_persons_pinyin_birth_date", table_name="persons")
    op.create_index("ix_persons_station_region", "persons", ["station_region"])
    op.create_index("ix_persons_residence_region", "persons", ["residence_region"])
