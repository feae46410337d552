"""The target groups (服务对象类别) the texts name; a person may be in several."""

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
