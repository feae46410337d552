"""Statutory grounds (法定事由): when the law has an agreement's fields shared without the
person's consent, and the guard that keeps a ground from becoming a way around consent.

A ground is named by a data-sharing agreement, with a note citing the provision. It
holds only for the partner kinds that the provision addresses and only for the alerts it
is about; an agreement naming it for another kind of partner or another event type is
refused, and at routing time an event outside the ground's reach falls back to consent.

The table is ``SCOPES`` below, each ground with its reasons:

- ``child_protection_mandatory_report`` (强制报告, 未成年人保护法 第十一条): the police, the
  civil-affairs bureau and its child-protection station, and the procuratorate, for
  ``person.registered`` and ``person.group_joined`` about a child at risk. Art. 11 has
  whoever finds a child harmed or in danger report at once to the police and civil
  affairs; the procuratorate oversees that reports are made and acted on (arts. 105,
  106). A court, a women's federation or a volunteer team is not whom it has one report to.
- ``emergency_to_protect_life_or_health`` (个人信息保护法 第十三条第一款第四项): the agencies
  that act on a crisis (the station; the hospital, or the health commission a region
  names instead, for self-harm and medical emergencies; the police for abuse and a
  missing person; civil affairs and the child-protection station for a person without a
  carer or a home in danger), for ``crisis.reported`` only: no other event reports an
  emergency.
- ``court_or_police_request`` (依法调取): no partner and no alert; a court's or the
  police's request is answered one request at a time, not by a standing agreement.

A child at risk: the event's groups (the group joined, for ``person.group_joined``)
include an orphan, a de facto unattended child, a child of a prisoner, a left-behind
child or a child in difficulty. A disabled child's group says nothing about the child's
care, so it alone does not make the report mandatory. A crisis does not say whether the
person is a child, so the mandatory report never covers ``crisis.reported``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from wushe.notify.domain.rules import groups_of
from wushe.shared.events.groups import CHILDREN_AT_RISK
from wushe.shared.events.partner_kinds import PartnerKind
from wushe.shared.events.referrals import StatutoryGround


@dataclass(frozen=True)
class GroundScope:
    partner_kinds: frozenset[PartnerKind]
    event_types: frozenset[str]


SCOPES: dict[StatutoryGround, GroundScope] = {
    StatutoryGround.CHILD_PROTECTION_MANDATORY_REPORT: GroundScope(
        partner_kinds=frozenset(
            {
                PartnerKind.POLICE,
                PartnerKind.CIVIL_AFFAIRS_BUREAU,
                PartnerKind.CHILD_PROTECTION_STATION,
                PartnerKind.PROCURATORATE,
            }
        ),
        event_types=frozenset({"person.registered", "person.group_joined"}),
    ),
    StatutoryGround.EMERGENCY_TO_PROTECT_LIFE_OR_HEALTH: GroundScope(
        partner_kinds=frozenset(
            {
                PartnerKind.POLICE,
                PartnerKind.HOSPITAL,
                PartnerKind.HEALTH_COMMISSION,
                PartnerKind.STATION,
                PartnerKind.CHILD_PROTECTION_STATION,
                PartnerKind.CIVIL_AFFAIRS_BUREAU,
            }
        ),
        event_types=frozenset({"crisis.reported"}),
    ),
    StatutoryGround.COURT_OR_POLICE_REQUEST: GroundScope(
        partner_kinds=frozenset(), event_types=frozenset()
    ),
}


@dataclass(frozen=True)
class Refusal:
    field: str
    reason: str


def refusal(
    ground: StatutoryGround, partner_kind: str, event_types: Iterable[str]
) -> Refusal | None:
    """Why an agreement may not name ``ground`` for this partner and these events."""
    scope = SCOPES[ground]
    if not scope.partner_kinds:
        return Refusal(
            "statutory_ground",
            f"{ground.value} is answered per request, not by a standing agreement",
        )
    if partner_kind not in scope.partner_kinds:
        return Refusal(
            "statutory_ground",
            f"{ground.value} does not reach a {partner_kind}; it reaches "
            f"{sorted(k.value for k in scope.partner_kinds)}",
        )
    outside = sorted(set(event_types) - scope.event_types)
    if outside:
        return Refusal(
            "event_types",
            f"{ground.value} covers only {sorted(scope.event_types)}, not {outside}",
        )
    return None


def ground_applies(
    ground: StatutoryGround, partner_kind: str, event_type: str, payload: dict[str, Any]
) -> bool:
    """Whether this event to this partner is shared under ``ground`` rather than consent."""
    scope = SCOPES[ground]
    if partner_kind not in scope.partner_kinds or event_type not in scope.event_types:
        return False
    if ground is StatutoryGround.CHILD_PROTECTION_MANDATORY_REPORT:
        return bool(CHILDREN_AT_RISK & set(groups_of(payload)))
    return True
