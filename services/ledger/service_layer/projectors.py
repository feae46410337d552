"""Every module that registers projectors, imported once so the projection is complete.

Projectors of one event type run in the order their modules are imported here: the
cases' rows are written before ``visit_plans`` plans visits from the cases' risk.
"""

from wushe.ledger.service_layer import (  # noqa: F401
    alert_entries,
    case_projectors,
    charity_days,
    charity_entries,
    consents,
    files,
    referral_projection,
    station_projection,
    visit_plans,
    visit_projectors,
)
from wushe.ledger.service_layer.projection import projection

__all__ = ["projection"]
