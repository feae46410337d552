"""Imports every event module so that the registry knows all types."""

from wushe.shared.events import (  # noqa: F401
    cases,
    charity,
    consent,
    goods,
    intake,
    ledger,
    needs,
    notify,
    referrals,
    stations,
    time_bank,
    visits,
)
from wushe.shared.events.registry import registry

__all__ = ["registry"]
