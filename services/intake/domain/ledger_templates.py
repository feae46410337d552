"""The downloadable ledger templates: one per group family, each with an example row
written the way a clerk would write it."""

from typing import Any

from wushe.intake.domain.ledger_columns import LedgerColumn, template_columns

KINDS = ("general", "elderly", "child", "disabled", "mental_health", "homeless", "assistance")

_COMMON = {
    "full_name": "张秀英", "id_number": "42070419500312002X", "phone": "13800138000",
    "address": "凤凰街道滨湖南路8号", "residence_region": "420704001",
    "household_region": "420704", "registered_on": "2026-11-01",
}  # fmt: skip

_EXAMPLES: dict[str, dict[str, Any]] = {
    "general": {"groups": "低保对象"},
    "elderly": {
        "groups": "独居老人、经济困难老年人", "profiles.elderly.economic_source": "养老金",
        "profiles.elderly.family_structure": "独居", "profiles.elderly.health": "慢性病",
        "profiles.elderly.care_situation": "无人照料",
    },
    "child": {
        "full_name": "刘小红", "id_number": "420704201503010028", "phone": "",
        "groups": "留守儿童", "profiles.child.guardian_name": "刘奶奶",
        "profiles.child.guardian_relation": "祖母", "profiles.child.guardian_phone": "13912345678",
        "profiles.child.father_status": "外出务工", "profiles.child.mother_status": "外出务工",
        "profiles.child.school": "凤凰小学", "profiles.child.grade": "五年级",
    },
    "disabled": {
        "groups": "残疾人", "profiles.disability.category": "肢体",
        "profiles.disability.grade": "二级",
    },
    "mental_health": {
        "groups": "严重精神障碍患者", "profiles.mental_health.risk_level": "1",
        "profiles.mental_health.guardian_name": "张建国",
    },
    "homeless": {
        "full_name": "无名氏", "id_number": "", "phone": "", "household_region": "",
        "groups": "流浪乞讨人员", "profiles.homeless.found_at": "鄂州火车站南广场",
        "profiles.homeless.found_on": "2026-10-30", "profiles.homeless.family_tracing": "寻亲中",
    },
    "assistance": {
        "groups": "低保对象", "profiles.assistance.certificate_number": "鄂低保420704-0012",
        "profiles.assistance.monthly_allowance_fen": "680.00",
    },
}  # fmt: skip


def template(kind: str) -> tuple[list[LedgerColumn], dict[str, Any]]:
    """The columns and the example row of one template."""
    return template_columns(kind), _COMMON | _EXAMPLES[kind]
