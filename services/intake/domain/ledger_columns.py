"""The columns of a station's ledger spreadsheet: which header means which field.

Headers are matched tolerantly: 姓名, *姓名, 姓名（必填） and full_name all mean the name.
"""

import re
from dataclasses import dataclass

from wushe.intake.domain.identity import Sex
from wushe.intake.domain.ledger_cells import (
    Parser,
    choice,
    day,
    digits,
    groups,
    id_number,
    level,
    text,
    yuan_to_fen,
)
from wushe.intake.domain.profiles import (
    CareSituation,
    DisabilityCategory,
    EconomicSource,
    FamilyStructure,
    FamilyTracing,
    Health,
    ParentStatus,
)


@dataclass(frozen=True)
class LedgerColumn:
    field: str
    header: str
    synonyms: tuple[str, ...]
    parse: Parser
    kinds: tuple[str, ...] = ()
    required: bool = False
    note: str = ""

    @property
    def path(self) -> list[str]:
        return self.field.split(".")


# fmt: off
COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn("full_name", "姓名", ("名字", "full_name", "name"), text, required=True),
    LedgerColumn("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码", "身份证",
                 "id_number"), id_number, note="18位；15位旧号自动转换"),
    LedgerColumn("sex", "性别", ("sex",), choice(Sex), note="男/女；有身份证号时可不填"),
    LedgerColumn("birth_date", "出生日期", ("出生年月日", "出生年月", "birth_date"), day,
                 note="如1950-03-12；有身份证号时可不填"),
    LedgerColumn("phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式", "phone"),
                 digits, note="手机11位，固话带区号"),
    LedgerColumn("address", "现住址", ("居住地址", "家庭住址", "住址", "地址", "address"), text),
    LedgerColumn("residence_region", "现居住地区划代码", ("居住地区划代码", "区划代码",
                 "现住地区划代码", "村（社区）代码", "residence_region"), digits, required=True,
                 note="6位县级、9位乡镇或12位村级统计用区划代码"),
    LedgerColumn("household_region", "户籍地区划代码", ("户籍区划代码", "户籍所在地代码",
                 "household_region"), digits, note="流浪乞讨人员寻亲期间可不填"),
    LedgerColumn("groups", "人员类别", ("服务对象类别", "对象类别", "类别", "groups"), groups,
                 required=True, note="可填多个，用顿号分隔，如：独居老人、低保对象"),
    LedgerColumn("registered_on", "登记日期", ("建档日期", "registered_on"), day,
                 note="默认为导入当天"),
    LedgerColumn("profiles.elderly.economic_source", "经济来源", (), choice(EconomicSource),
                 ("elderly",)),
    LedgerColumn("profiles.elderly.family_structure", "家庭结构", ("居住情况",),
                 choice(FamilyStructure), ("elderly",)),
    LedgerColumn("profiles.elderly.health", "健康状况", ("身体状况",), choice(Health),
                 ("elderly",)),
    LedgerColumn("profiles.elderly.care_situation", "照料情况", ("照护情况",),
                 choice(CareSituation), ("elderly",)),
    LedgerColumn("profiles.child.guardian_name", "监护人姓名", ("监护人",), text, ("child",)),
    LedgerColumn("profiles.child.guardian_relation", "与监护人关系", ("监护关系",), text,
                 ("child",)),
    LedgerColumn("profiles.child.guardian_phone", "监护人电话", ("监护人联系电话",), digits,
                 ("child",)),
    LedgerColumn("profiles.child.father_status", "父亲状况", ("父亲情况",),
                 choice(ParentStatus), ("child",)),
    LedgerColumn("profiles.child.mother_status", "母亲状况", ("母亲情况",),
                 choice(ParentStatus), ("child",)),
    LedgerColumn("profiles.child.school", "就读学校", ("学校",), text, ("child",)),
    LedgerColumn("profiles.child.grade", "年级", ("就读年级",), text, ("child",)),
    LedgerColumn("profiles.disability.category", "残疾类别", ("残疾类型",),
                 choice(DisabilityCategory), ("disabled",), note="残疾人、残疾儿童必填"),
    LedgerColumn("profiles.disability.grade", "残疾等级", (), level, ("disabled",),
                 note="一级至四级，残疾人、残疾儿童必填"),
    LedgerColumn("profiles.disability.certificate_number", "残疾证号", ("残疾人证号",),
                 id_number, ("disabled",)),
    LedgerColumn("profiles.mental_health.risk_level", "危险性评估等级", ("危险性等级", "风险等级"),
                 level, ("mental_health",), note="0至5级，严重精神障碍患者必填"),
    LedgerColumn("profiles.mental_health.guardian_name", "患者监护人姓名", (), text,
                 ("mental_health",)),
    LedgerColumn("profiles.homeless.found_at", "发现地点", ("救助地点",), text, ("homeless",),
                 note="流浪乞讨人员必填"),
    LedgerColumn("profiles.homeless.found_on", "发现日期", ("救助日期",), day, ("homeless",),
                 note="流浪乞讨人员必填"),
    LedgerColumn("profiles.homeless.family_tracing", "寻亲状态", ("寻亲情况",),
                 choice(FamilyTracing), ("homeless",)),
    LedgerColumn("profiles.assistance.certificate_number", "救助证号", ("低保证号", "特困证号"),
                 text, ("assistance",)),
    LedgerColumn("profiles.assistance.monthly_allowance_fen", "月保障金额（元）",
                 ("保障金额", "月保障金额"), yuan_to_fen, ("assistance",),
                 note="以元为单位，最多两位小数"),
)
# fmt: on

_DECORATION = re.compile(r"[\s*＊:：]|[（(][^）)]*[）)]$")


def normalise_header(header: object) -> str:
    """姓名（必填） → 姓名; *联系电话 → 联系电话; Full_Name → full_name."""
    value = str(header or "").strip()
    previous = None
    while previous != value:
        previous, value = value, _DECORATION.sub("", value)
    return value.lower()


def _by_header() -> dict[str, LedgerColumn]:
    index: dict[str, LedgerColumn] = {}
    for column in COLUMNS:
        for name in (column.header, *column.synonyms):
            other = index.setdefault(normalise_header(name), column)
            if other is not column:
                raise ValueError(
                    f"header {name!r} would mean both {other.field} and {column.field}"
                )
    return index


_BY_HEADER = _by_header()


def column_for(header: object) -> LedgerColumn | None:
    return _BY_HEADER.get(normalise_header(header))


def template_columns(kind: str) -> list[LedgerColumn]:
    return [c for c in COLUMNS if not c.kinds or kind in c.kinds]
