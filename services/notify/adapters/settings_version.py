"""The version of notify's routing settings: a counter the database raises itself, by
trigger, whenever a table of those settings changes, so that a process keeping the
settings between polls learns with one read whether to read them again.

The triggers are the migrations' (notify_0007). SQLite drops a table's triggers when a
migration rebuilds the table (``batch_alter_table``): such a migration creates them
again, and a test checks that every table below still raises the version.
"""

from sqlalchemy import BigInteger, Column, Integer, Table

from wushe.notify.adapters.orm import metadata

routing_settings_version = Table(
    "routing_settings_version",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
)

# What routing reads of notify's settings (``RoutingSnapshot``).
SETTINGS_TABLES = (
    "partners",
    "partner_profiles",
    "subscriptions",
    "subscription_groups",
    "sharing_agreements",
    "rule_settings",
    "region_quiet_hours",
)
