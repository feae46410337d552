"""Alembic environment of the ledger service."""

from wushe.ledger.adapters.orm import metadata
from wushe.shared.messaging_tables import messaging_metadata
from wushe.shared.migrations import run_migrations

run_migrations([metadata, messaging_metadata])
