"""The target groups (服务对象类别) the texts name; a person may be in several.

Part of the event contract: events carry a person's groups by these values, and every
service that shows them to people uses the official names below.
"""

from enum import StrEnum


class TargetGroup(StrEnum):
    """The groups the texts name; a person may be in several."""

    ELDERLY_ECONOMIC_DIFFICULTY = "elderly_economic_difficulty"  # 家庭经济困难老年人
    ELDERLY_ADVANCED_AGE = "elderly_advanced_age"  # 高龄
    ELDERLY_DISABLED = "elderly_disabled"  # 失能
    ELDERLY_EMPTY_NEST = "elderly_empty_nest"  # 空巢
    ELDERLY_LEFT_BEHIND = "elderly_left_behind"  # 留守
    ELDERLY_LIVING_ALONE = "elderly_living_alone"  # 独居
    CHILD_LEFT_BEHIND = "child_left_behind"  # 农村留守儿童
    CHILD_ORPHAN = "child_orphan"  # 孤儿
    CHILD_UNATTENDED = "child_unattended"  # 事实无人抚养儿童
    CHILD_DISABLED = "child_disabled"  # 残疾儿童
    CHILD_IN_DIFFICULTY = "child_in_difficulty"  # 困境儿童
    CHILD_PARENT_IMPRISONED = "child_parent_imprisoned"
    DISABLED = "disabled"  # 残疾人
    SEVERE_MENTAL_DISORDER = "severe_mental_disorder"  # 严重精神障碍患者
    HOMELESS = "homeless"  # 流浪乞讨人员
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance"  # 低保对象
    EXTREME_POVERTY = "extreme_poverty"  # 特困人员
    MIGRANT_CHILD = "migrant_child"  # 进城务工人员随迁子女


# Children whose registration, or joining the group, lets the agencies that protect
# children learn who and where they are: intake seals their name and address for notify,
# and notify's mandatory report (强制报告) covers them. One list, so that the producer and
# notify never disagree; the reasons are in services/intake/domain/children_at_risk.py.
CHILDREN_AT_RISK: frozenset[TargetGroup] = frozenset(
    {
        TargetGroup.CHILD_ORPHAN,
        TargetGroup.CHILD_UNATTENDED,
        TargetGroup.CHILD_PARENT_IMPRISONED,
        TargetGroup.CHILD_LEFT_BEHIND,
        TargetGroup.CHILD_IN_DIFFICULTY,
    }
)

OFFICIAL_NAMES: dict[str, str] = {
    TargetGroup.ELDERLY_ECONOMIC_DIFFICULTY: "经济困难老年人",
    TargetGroup.ELDERLY_ADVANCED_AGE: "高龄老年人",
    TargetGroup.ELDERLY_DISABLED: "失能老年人",
    TargetGroup.ELDERLY_EMPTY_NEST: "空巢老年人",
    TargetGroup.ELDERLY_LEFT_BEHIND: "留守老年人",
    TargetGroup.ELDERLY_LIVING_ALONE: "独居老年人",
    TargetGroup.CHILD_LEFT_BEHIND: "农村留守儿童",
    TargetGroup.CHILD_ORPHAN: "孤儿",
    TargetGroup.CHILD_UNATTENDED: "事实无人抚养儿童",
    TargetGroup.CHILD_DISABLED: "残疾儿童",
    TargetGroup.CHILD_IN_DIFFICULTY: "困境儿童",
    TargetGroup.CHILD_PARENT_IMPRISONED: "服刑人员未成年子女",
    TargetGroup.DISABLED: "残疾人",
    TargetGroup.SEVERE_MENTAL_DISORDER: "严重精神障碍患者",
    TargetGroup.HOMELESS: "流浪乞讨人员",
    TargetGroup.SUBSISTENCE_ALLOWANCE: "低保对象",
    TargetGroup.EXTREME_POVERTY: "特困人员",
    TargetGroup.MIGRANT_CHILD: "进城务工人员随迁子女",
}
