"""How often a person is visited (探访频次): per target group, shortened by risk, and
overridable per region by the station or an administrator.

Groups are the values of the event contract (``wushe.shared.events.groups``); events
carry them as strings, so a group added to the contract after this table is visited
monthly until it has its own interval here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from wushe.shared.events.groups import TargetGroup


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


GROUP_INTERVAL_DAYS: dict[str, int] = {
    TargetGroup.ELDERLY_ECONOMIC_DIFFICULTY: 30,  # 家庭经济困难老年人
    TargetGroup.ELDERLY_ADVANCED_AGE: 14,  # 高龄
    TargetGroup.ELDERLY_DISABLED: 7,  # 失能
    TargetGroup.ELDERLY_EMPTY_NEST: 14,  # 空巢
    TargetGroup.ELDERLY_LEFT_BEHIND: 7,  # 留守老人
    TargetGroup.ELDERLY_LIVING_ALONE: 7,  # 独居
    TargetGroup.CHILD_LEFT_BEHIND: 30,  # 农村留守儿童
    TargetGroup.CHILD_ORPHAN: 30,  # 孤儿
    TargetGroup.CHILD_UNATTENDED: 14,  # 事实无人抚养儿童
    TargetGroup.CHILD_DISABLED: 14,  # 残疾儿童
    TargetGroup.CHILD_IN_DIFFICULTY: 14,  # 困境儿童
    TargetGroup.CHILD_PARENT_IMPRISONED: 14,  # 服刑人员子女
    TargetGroup.DISABLED: 30,  # 残疾人
    TargetGroup.SEVERE_MENTAL_DISORDER: 14,  # 严重精神障碍患者
    TargetGroup.HOMELESS: 7,  # 流浪乞讨人员
    TargetGroup.SUBSISTENCE_ALLOWANCE: 90,  # 低保对象
    TargetGroup.EXTREME_POVERTY: 30,  # 特困人员
    TargetGroup.MIGRANT_CHILD: 30,  # 进城务工人员随迁子女
}
UNKNOWN_GROUP_INTERVAL_DAYS = 30
CRITICAL_MAX_INTERVAL_DAYS = 3


@dataclass(frozen=True)
class VisitRule:
    """A region's own interval for a group, for every risk level or for one."""

    region_prefix: str
    group: str
    interval_days: int
    risk_level: RiskLevel | None = None

    def applies_to(self, region_code: str, group: str, risk: RiskLevel | None) -> bool:
        return (
            region_code.startswith(self.region_prefix)
            and group == self.group
            and (self.risk_level is None or self.risk_level == risk)
        )

    @property
    def specificity(self) -> tuple[int, bool]:
        return len(self.region_prefix), self.risk_level is not None


def shortened_by_risk(interval_days: int, risk: RiskLevel | None) -> int:
    """High risk halves the interval; critical risk means a visit at least every 3 days."""
    if risk == RiskLevel.HIGH:
        return max(1, interval_days // 2)
    if risk == RiskLevel.CRITICAL:
        return min(interval_days, CRITICAL_MAX_INTERVAL_DAYS)
    return interval_days


def group_interval(
    group: str, region_code: str, risk: RiskLevel | None, rules: Iterable[VisitRule]
) -> int:
    """The most specific region's rule wins; a rule for the exact risk level is taken as
    it is, any other rule or the built-in default is shortened by the risk."""
    matching = [rule for rule in rules if rule.applies_to(region_code, group, risk)]
    if matching:
        chosen = max(matching, key=lambda rule: rule.specificity)
        if chosen.risk_level is not None:
            return chosen.interval_days
        return shortened_by_risk(chosen.interval_days, risk)
    default = GROUP_INTERVAL_DAYS.get(group, UNKNOWN_GROUP_INTERVAL_DAYS)
    return shortened_by_risk(default, risk)


def visit_interval(
    groups: Iterable[str],
    region_code: str,
    risk: RiskLevel | None = None,
    rules: Iterable[VisitRule] = (),
) -> int | None:
    """Days between visits: the shortest among the person's groups; None without groups,
    because a person in no target group is on no visit plan."""
    rules = list(rules)
    intervals = [group_interval(group, region_code, risk, rules) for group in groups]
    return min(intervals) if intervals else None
