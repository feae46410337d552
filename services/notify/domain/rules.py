"""The built-in alert rules, and the settings a region may give them.

A rule names the events it acts on, who receives them, whether they are urgent (urgent
alerts ignore quiet hours and digests), whether they are merely informational (then an
alert whose personal fields consent withholds is not sent at all), how long repeats
are merged, and whom to escalate to when nobody acknowledges in time. The purpose a
person's consent must cover is the data-sharing agreement's, not the rule's. A region
can switch a rule off, change its recipients, its escalation delay or its merge window;
the setting of the most specific region wins.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wushe.shared.events.groups import TargetGroup
from wushe.shared.events.partner_kinds import PartnerKind
from wushe.shared.events.visits import CrisisKind
from wushe.shared.regions import covers

CHILD_GROUPS = frozenset(
    {
        TargetGroup.CHILD_LEFT_BEHIND,
        TargetGroup.CHILD_ORPHAN,
        TargetGroup.CHILD_UNATTENDED,
        TargetGroup.CHILD_DISABLED,
        TargetGroup.CHILD_IN_DIFFICULTY,
        TargetGroup.CHILD_PARENT_IMPRISONED,
    }
)

# The agency a crisis of each kind concerns, besides the station.
CRISIS_AGENCIES: dict[str, tuple[PartnerKind, ...]] = {
    CrisisKind.SELF_HARM_RISK: (PartnerKind.HOSPITAL,),
    CrisisKind.ABUSE: (PartnerKind.POLICE, PartnerKind.CHILD_PROTECTION_STATION),
    CrisisKind.MISSING: (PartnerKind.POLICE,),
    CrisisKind.MEDICAL_EMERGENCY: (PartnerKind.HOSPITAL,),
    CrisisKind.NO_CARER: (PartnerKind.CIVIL_AFFAIRS_BUREAU, PartnerKind.CHILD_PROTECTION_STATION),
    CrisisKind.HOUSING_DANGER: (PartnerKind.CIVIL_AFFAIRS_BUREAU,),
}


@dataclass(frozen=True)
class Rule:
    name: str
    event_types: tuple[str, ...]
    reason: str
    recipient_kinds: tuple[PartnerKind, ...] = ()
    urgent: bool = False
    informational: bool = False
    merge_window: timedelta = timedelta(hours=1)
    # What makes two alerts "about the same thing": "type", "subject", or payload fields.
    merge_by: tuple[str, ...] = ("type", "subject")
    escalate_to: PartnerKind | None = None
    escalate_after: timedelta | None = None
    enabled: bool = True

    def concerns(self, event_type: str, payload: dict[str, Any]) -> bool:
        if event_type not in self.event_types:
            return False
        if self.name == CHILD_IN_DIFFICULTY:
            return bool(CHILD_GROUPS & set(groups_of(payload)))
        return True

    def merge_key(self, event_type: str, subject: str, payload: dict[str, Any]) -> str:
        parts = {"type": event_type, "subject": subject}
        return ":".join(
            [self.name, *(str(parts.get(p, payload.get(p, ""))) for p in self.merge_by)]
        )

    def kinds_for(self, payload: dict[str, Any], overridden: bool) -> tuple[PartnerKind, ...]:
        if self.name == CRISIS and not overridden:
            return (*self.recipient_kinds, *CRISIS_AGENCIES.get(payload.get("crisis_kind", ""), ()))
        return self.recipient_kinds


def groups_of(payload: dict[str, Any]) -> list[str]:
    """The groups an event names: one joined, or all the person's."""
    if isinstance(payload.get("group"), str):
        return [payload["group"]]
    groups = payload.get("groups")
    return [str(g) for g in groups] if isinstance(groups, list) else []


CRISIS = "crisis_reported"
CHILD_IN_DIFFICULTY = "child_in_difficulty"
VISIT_OVERDUE = "visit_overdue"
NEED_OFFERED = "need_to_offering_organisations"
FUND_MANAGERS = "fund_managers"
SUBSCRIPTION = "subscription"
ESCALATION = "escalation"

BUILT_IN: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            CRISIS, ("crisis.reported",), reason="rule",
            recipient_kinds=(PartnerKind.STATION,), urgent=True,
            merge_window=timedelta(minutes=30), merge_by=("subject", "crisis_kind"),
        ),
        Rule(
            CHILD_IN_DIFFICULTY, ("person.registered", "person.group_joined"), reason="rule",
            recipient_kinds=(PartnerKind.CHILD_PROTECTION_STATION,),
            merge_window=timedelta(days=1), merge_by=("subject",),
        ),
        Rule(
            VISIT_OVERDUE, ("visit.overdue",), reason="rule",
            recipient_kinds=(PartnerKind.VOLUNTEER_TEAM,),
            merge_window=timedelta(days=1),
            merge_by=("subject", "due_on"),
            escalate_to=PartnerKind.STATION, escalate_after=timedelta(hours=24),
        ),
        Rule(
            NEED_OFFERED, ("need.posted",), reason="offer",
        ),
        # Each donation is news; a balance still low within the hour is not.
        Rule(
            FUND_MANAGERS, ("donation.received", "fund.balance_low"), reason="fund_manager",
            merge_by=("type", "subject", "donation_id"),
        ),
        # Whatever a partner subscribed to, each event as it asked; told, not asked to act.
        Rule(
            SUBSCRIPTION, (), reason="subscription", informational=True,
            merge_window=timedelta(0),
        ),
    )
}  # fmt: skip


class RuleSettingRequest(BaseModel):
    """A region's setting of one rule; a field left out keeps the built-in value."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    recipient_kinds: list[PartnerKind] | None = Field(None, min_length=1)
    escalate_after_minutes: int | None = Field(None, ge=1, le=60 * 24 * 30)
    merge_window_minutes: int | None = Field(None, ge=0, le=60 * 24 * 30)


@dataclass(frozen=True)
class RegionalSetting:
    rule: str
    region_code: str
    enabled: bool
    recipient_kinds: tuple[PartnerKind, ...] | None
    escalate_after_minutes: int | None
    merge_window_minutes: int | None


@dataclass(frozen=True)
class EffectiveRule:
    rule: Rule
    recipients_overridden: bool
    region_code: str | None


def rule_for_region(
    rule: Rule, region_code: str, settings: Iterable[RegionalSetting]
) -> EffectiveRule:
    """The rule as the most specific region covering ``region_code`` set it."""
    covering = [s for s in settings if s.rule == rule.name and covers(s.region_code, region_code)]
    if not covering:
        return EffectiveRule(rule, False, None)
    setting = max(covering, key=lambda s: len(s.region_code.rstrip("0")))
    effective = replace(rule, enabled=setting.enabled)
    if setting.recipient_kinds is not None:
        effective = replace(effective, recipient_kinds=setting.recipient_kinds)
    if setting.escalate_after_minutes is not None and rule.escalate_to is not None:
        effective = replace(
            effective, escalate_after=timedelta(minutes=setting.escalate_after_minutes)
        )
    if setting.merge_window_minutes is not None:
        effective = replace(effective, merge_window=timedelta(minutes=setting.merge_window_minutes))
    return EffectiveRule(effective, setting.recipient_kinds is not None, setting.region_code)
