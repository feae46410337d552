"""the whole person record: addresses, profiles, household region, group periods, history

Revision ID: intake_0004
Revises: intake_0003
Create Date: 2026-11-23
"""

import json
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "intake_0004"
down_revision: str | None = "intake_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("address_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("profiles_encrypted", sa.Text(), nullable=True))
        batch.add_column(sa.Column("household_region", sa.String(12), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(12), nullable=False, server_default="active")
        )
        batch.add_column(sa.Column("deceased_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_persons_station_region", ["station_region"])
    memberships = op.create_table(
        "group_memberships",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("group", sa.String(40), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("end_reason", sa.String(200), nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_group_memberships_person_id", "group_memberships", ["person_id"])
    changes = op.create_table(
        "person_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=True),
        sa.Column("trace_id", sa.String(32), nullable=True),
    )
    op.create_index("ix_person_changes_person_id", "person_changes", ["person_id"])
    _backfill(memberships, changes)


def _backfill(memberships: sa.Table, changes: sa.Table) -> None:
    """People registered before group periods existed joined their groups when registered."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT id, groups, registered_on, registered_by, registered_at, residence_region "
            "FROM persons"
        )
    )
    periods, history = [], []
    for person_id, groups, registered_on, registered_by, registered_at, region in rows:
        names = json.loads(groups) if isinstance(groups, str) else groups
        since = _as_date(registered_on) or _as_datetime(registered_at).date()
        periods += [
            {"person_id": person_id, "group": name, "since": since, "recorded_by": registered_by}
            for name in names
        ]
        history.append(
            {
                "person_id": person_id,
                "kind": "registered",
                "fields": [],
                "detail": {"residence_region": region},
                "changed_by": registered_by,
                "changed_at": _as_datetime(registered_at),
            }
        )
    if periods:
        op.bulk_insert(memberships, periods)
    if history:
        op.bulk_insert(changes, history)


def _as_date(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _as_datetime(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def downgrade() -> None:
    op.drop_table("person_changes")
    op.drop_table("group_memberships")
    with op.batch_alter_table("persons") as batch:
        batch.drop_index("ix_persons_station_region")
        batch.drop_column("updated_at")
        batch.drop_column("deceased_on")
        batch.drop_column("status")
        batch.drop_column("household_region")
        batch.drop_column("profiles_encrypted")
        batch.drop_column("address_encrypted")
