"""Imports every event module so that the registry knows all types."""

from wushe.shared.events import cases, charity, consent, intake, ledger, referrals, visits  # noqa: F401
from wushe.shared.events.registry import registry

__all__ = ["registry"]
