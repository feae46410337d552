"""Imports every event module so that the registry knows all types."""

from wushe.shared.events import charity, consent, intake, ledger  # noqa: F401
from wushe.shared.events.registry import registry

__all__ = ["registry"]
