"""Alembic environment of the notify service."""

from wushe.notify.adapters.orm import metadata
from wushe.shared.messaging_tables import messaging_metadata
from wushe.shared.migrations import run_migrations

run_migrations([metadata, messaging_metadata])
