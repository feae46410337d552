"""How a file's entries read on paper: each event type in the words of the ledgers."""

from collections.abc import Mapping

from wushe.shared.events.cases import AGENCY_KIND_NAMES, CASE_KIND_NAMES
from wushe.shared.events.goods import GOODS_CATEGORY_NAMES
from wushe.shared.events.groups import OFFICIAL_NAMES
from wushe.shared.events.names import name_in
from wushe.shared.events.visits import SERVICE_KIND_NAMES

EVENT_WORDS = {
    "person.registered": "登记建档",
    "person.updated": "信息变更",
    "person.group_joined": "纳入服务对象类别",
    "person.group_left": "退出服务对象类别",
    "person.relocated": "迁居，档案移交",
    "person.deceased": "死亡，档案关闭",
    "person.merged": "重复档案合并",
    "person.unmerged": "撤销档案合并",
    "consent.granted": "个人信息使用授权",
    "consent.revoked": "撤回个人信息使用授权",
    "case.opened": "个案接案",
    "case.advanced": "个案推进",
    "case.risk_changed": "风险等级调整",
    "case.goals_set": "制定服务计划",
    "case.goal_evaluated": "目标评估",
    "case.conference_held": "个案会商",
    "case.closed": "个案结案",
    "case.reopened": "个案重新开启",
    "case.reassigned": "更换责任社工",
    "visit.recorded": "探访",
    "visit.overdue": "探访逾期",
    "visit.escalated": "探访逾期上报",
    "crisis.reported": "危机报告",
    "service.recorded": "个人服务",
    "referral.sent": "转介发出",
    "referral.accepted": "转介接收",
    "referral.declined": "转介拒绝",
    "referral.completed": "转介完成",
    "referral.withdrawn": "转介撤回",
    "referral.escalated": "转介超时上报",
    "fund.disbursed": "慈善资金救助",
    "goods.distributed": "物资发放",
    "goods.movement_reversed": "物资发放冲正",
    "alert.raised": "预警通知",
    "alert.acknowledged": "预警已确认",
}

# Ids and sealed text say nothing on paper; the reader has the file in hand.
_HIDDEN = ("_id", "_sealed")

# The entries with a ``kind`` are a case's opening and a service; no code is in both.
_KIND_NAMES = {**CASE_KIND_NAMES, **SERVICE_KIND_NAMES}


def yuan_amount(fen: int) -> str:
    """The amount in yuan with two decimals. Exact: fen are never divided as floats."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def yuan(fen: int) -> str:
    return f"{yuan_amount(fen)}元"


def event_words(event_type: str) -> str:
    return EVENT_WORDS.get(event_type, event_type)


def _agency_words(agency: object) -> str:
    if not isinstance(agency, Mapping):
        return str(agency)
    return f"{agency.get('name', '')}（{name_in(AGENCY_KIND_NAMES, str(agency.get('kind', '')))}）"


def detail_words(details: Mapping[str, object]) -> str:
    """The entry's details on one line, groups, kinds, services and agencies by their
    official names."""
    parts = []
    for name, value in details.items():
        if name.endswith(_HIDDEN) or value in (None, [], ""):
            continue
        if name in ("group", "groups", "restored_groups"):
            groups = value if isinstance(value, list) else [value]
            value = "、".join(name_in(OFFICIAL_NAMES, str(group)) for group in groups)
        elif name == "kind":
            value = name_in(_KIND_NAMES, str(value))
        elif name == "about":
            value = event_words(str(value))
        elif name == "category":
            value = name_in(GOODS_CATEGORY_NAMES, str(value))
        elif name.endswith("_fen") and isinstance(value, int):
            value = yuan(value)
        elif name == "services" and isinstance(value, list):
            value = "、".join(name_in(SERVICE_KIND_NAMES, str(service)) for service in value)
        elif name == "agencies" and isinstance(value, list):
            value = "、".join(_agency_words(agency) for agency in value)
        elif isinstance(value, list):
            value = "、".join(str(item) for item in value)
        parts.append(f"{name}: {value}")
    return "；".join(parts)
