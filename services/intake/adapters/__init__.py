"""Intake's adapters.

Every module that adds tables to intake's metadata is imported here, so whatever loads
that metadata (the migrations, the schema check) sees all the tables.
"""

from wushe.intake.adapters import consent_orm, merge_orm  # noqa: F401
