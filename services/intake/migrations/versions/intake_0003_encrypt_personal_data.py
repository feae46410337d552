"""encrypt names, ID numbers and phones at rest; log reads of unmasked data

Revision ID: intake_0003
Revises: intake_0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wushe.intake.domain.phone import mask_phone
from wushe.shared.field_encryption import blind_index
from wushe.shared.settings import Settings

revision: str = "intake_0003"
down_revision: str | None = "intake_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("full_name_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("full_name_index", sa.String(64), nullable=True))
        batch.add_column(sa.Column("id_number_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("phone_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("phone_index", sa.String(64), nullable=True))
        batch.add_column(sa.Column("phone_masked", sa.String(20), nullable=True))
    _encrypt_existing_rows()
    with op.batch_alter_table("persons") as batch:
        batch.alter_column("full_name_encrypted", existing_type=sa.Text(), nullable=False)
        batch.alter_column("full_name_index", existing_type=sa.String(64), nullable=False)
        batch.drop_column("full_name")
        batch.drop_column("phone")
        batch.create_index("ix_persons_full_name_index", ["full_name_index"])
        batch.create_index("ix_persons_phone_index", ["phone_index"])
    op.create_table(
        "personal_data_reads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("reader", sa.String(100), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_personal_data_reads_person_id", "personal_data_reads", ["person_id"])


def _encrypt_existing_rows() -> None:
    # ID numbers were kept only as hash and mask before this revision: nothing to encrypt.
    settings = Settings()
    cipher = settings.field_cipher()
    key = settings.data_key.get_secret_value()
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, full_name, phone FROM persons")).all()
    for person_id, full_name, phone in rows:
        connection.execute(
            sa.text(
                "UPDATE persons SET full_name_encrypted = :name, full_name_index = :name_index, "
                "phone_encrypted = :phone, phone_index = :phone_index, phone_masked = :masked "
                "WHERE id = :id"
            ),
            {
                "id": person_id,
                "name": cipher.encrypt(full_name, "persons.full_name"),
                "name_index": blind_index(full_name, key, "persons.full_name"),
                "phone": cipher.encrypt(phone, "persons.phone") if phone else None,
                "phone_index": blind_index(phone, key, "persons.phone") if phone else None,
                "masked": mask_phone(phone) if phone else None,
            },
        )


def downgrade() -> None:
    raise NotImplementedError("personal data is not decrypted back into clear columns")
