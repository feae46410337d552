"""The Chinese words station ledgers use for groups and circumstances, and the values
they stand for. A cell may hold the word or the value itself."""

from enum import StrEnum

from wushe.intake.domain.identity import Sex
from wushe.intake.domain.profiles import (
    CareSituation,
    DisabilityCategory,
    EconomicSource,
    FamilyStructure,
    FamilyTracing,
    Health,
    ParentStatus,
)
from wushe.shared.events.groups import TargetGroup

GROUP_LABELS: dict[TargetGroup, tuple[str, ...]] = {
    TargetGroup.ELDERLY_ECONOMIC_DIFFICULTY: ("经济困难老年人", "家庭经济困难老年人", "困难老人"),
    TargetGroup.ELDERLY_ADVANCED_AGE: ("高龄老年人", "高龄老人", "高龄"),
    TargetGroup.ELDERLY_DISABLED: ("失能老年人", "失能老人", "失能"),
    TargetGroup.ELDERLY_EMPTY_NEST: ("空巢老年人", "空巢老人", "空巢"),
    TargetGroup.ELDERLY_LEFT_BEHIND: ("留守老年人", "留守老人"),
    TargetGroup.ELDERLY_LIVING_ALONE: ("独居老年人", "独居老人", "独居"),
    TargetGroup.CHILD_LEFT_BEHIND: ("农村留守儿童", "留守儿童"),
    TargetGroup.CHILD_ORPHAN: ("孤儿",),
    TargetGroup.CHILD_UNATTENDED: ("事实无人抚养儿童", "事实孤儿"),
    TargetGroup.CHILD_DISABLED: ("残疾儿童",),
    TargetGroup.CHILD_IN_DIFFICULTY: ("困境儿童",),
    TargetGroup.CHILD_PARENT_IMPRISONED: ("服刑人员子女", "父母服刑儿童"),
    TargetGroup.DISABLED: ("残疾人",),
    TargetGroup.SEVERE_MENTAL_DISORDER: ("严重精神障碍患者", "精神障碍患者"),
    TargetGroup.HOMELESS: ("流浪乞讨人员", "流浪人员"),
    TargetGroup.SUBSISTENCE_ALLOWANCE: ("低保对象", "低保"),
    TargetGroup.EXTREME_POVERTY: ("特困人员", "特困供养人员", "特困"),
    TargetGroup.MIGRANT_CHILD: ("随迁子女", "进城务工人员随迁子女"),
}

VALUE_LABELS: dict[type[StrEnum], dict[StrEnum, tuple[str, ...]]] = {
    Sex: {Sex.MALE: ("男",), Sex.FEMALE: ("女",)},
    EconomicSource: {
        EconomicSource.PENSION: ("养老金", "退休金"),
        EconomicSource.SUBSISTENCE_ALLOWANCE: ("低保金",),
        EconomicSource.FAMILY_SUPPORT: ("子女赡养", "家庭供养"),
        EconomicSource.OWN_LABOUR: ("劳动收入", "务农", "打工"),
        EconomicSource.NONE: ("无", "无收入"),
        EconomicSource.OTHER: ("其他",),
    },
    FamilyStructure: {
        FamilyStructure.LIVING_ALONE: ("独居",),
        FamilyStructure.COUPLE_ONLY: ("夫妻同住", "与配偶同住"),
        FamilyStructure.WITH_CHILDREN: ("与子女同住",),
        FamilyStructure.WITH_GRANDCHILDREN_ONLY: ("隔代同住", "与孙辈同住"),
        FamilyStructure.IN_INSTITUTION: ("入住机构", "养老机构"),
        FamilyStructure.OTHER: ("其他",),
    },
    Health: {
        Health.HEALTHY: ("健康", "良好"),
        Health.CHRONIC_ILLNESS: ("慢性病", "患病"),
        Health.PARTIALLY_DISABLED: ("半失能",),
        Health.FULLY_DISABLED: ("失能", "完全失能"),
        Health.DEMENTIA: ("失智", "认知障碍"),
    },
    CareSituation: {
        CareSituation.SELF_CARE: ("自理", "生活自理"),
        CareSituation.FAMILY_CARE: ("家人照料", "子女照料"),
        CareSituation.PAID_CARER: ("雇人照料", "保姆"),
        CareSituation.COMMUNITY_CARE: ("社区照料", "邻里照料"),
        CareSituation.INSTITUTION_CARE: ("机构照料",),
        CareSituation.NO_CARE: ("无人照料",),
    },
    ParentStatus: {
        ParentStatus.AT_HOME: ("在家",),
        ParentStatus.WORKING_AWAY: ("外出务工", "外出打工"),
        ParentStatus.DECEASED: ("死亡", "去世", "已故"),
        ParentStatus.MISSING: ("失联", "失踪"),
        ParentStatus.IMPRISONED: ("服刑", "服刑在押"),
        ParentStatus.SERIOUSLY_ILL_OR_DISABLED: ("重病", "重残", "重病重残"),
        ParentStatus.REMARRIED_AWAY: ("改嫁", "离异"),
        ParentStatus.UNKNOWN: ("不详", "未知"),
    },
    DisabilityCategory: {
        DisabilityCategory.VISUAL: ("视力", "视力残疾"),
        DisabilityCategory.HEARING: ("听力", "听力残疾"),
        DisabilityCategory.SPEECH: ("言语", "言语残疾"),
        DisabilityCategory.PHYSICAL: ("肢体", "肢体残疾"),
        DisabilityCategory.INTELLECTUAL: ("智力", "智力残疾"),
        DisabilityCategory.MENTAL: ("精神", "精神残疾"),
        DisabilityCategory.MULTIPLE: ("多重", "多重残疾"),
    },
    FamilyTracing: {
        FamilyTracing.NOT_STARTED: ("未开始",),
        FamilyTracing.IN_PROGRESS: ("寻亲中",),
        FamilyTracing.FAMILY_FOUND: ("已找到家人", "已寻亲"),
        FamilyTracing.RETURNED_HOME: ("已返乡", "已送返"),
        FamilyTracing.UNSUCCESSFUL: ("寻亲未果",),
    },
}


def _index(
    labels: dict[TargetGroup, tuple[str, ...]] | dict[StrEnum, tuple[str, ...]],
) -> dict[str, str]:
    index: dict[str, str] = {}
    for value, words in labels.items():
        index[value.value] = value.value
        for word in words:
            index[word] = value.value
    return index


GROUP_WORDS = _index(GROUP_LABELS)
VALUE_WORDS = {kind: _index(labels) for kind, labels in VALUE_LABELS.items()}


def label_of(value: StrEnum) -> str:
    """The first Chinese word for a value, as the templates show it."""
    if isinstance(value, TargetGroup):
        return GROUP_LABELS[value][0]
    return VALUE_LABELS[type(value)][value][0]
