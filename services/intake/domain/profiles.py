"""What the ledgers record about a person beyond identity, per group family.

Health, disability and minors' circumstances are sensitive personal information
(PIPL art. 28): the whole profile is stored encrypted and never published in events.
"""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from wushe.intake.domain.phone import PhoneNumber


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EconomicSource(StrEnum):
    PENSION = "pension"  # 养老金
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance"  # 低保金
    FAMILY_SUPPORT = "family_support"  # 子女赡养
    OWN_LABOUR = "own_labour"  # 劳动收入
    NONE = "none"
    OTHER = "other"


class FamilyStructure(StrEnum):
    LIVING_ALONE = "living_alone"  # 独居
    COUPLE_ONLY = "couple_only"  # 仅与配偶同住 (空巢)
    WITH_CHILDREN = "with_children"
    WITH_GRANDCHILDREN_ONLY = "with_grandchildren_only"  # 隔代同住
    IN_INSTITUTION = "in_institution"  # 入住养老机构
    OTHER = "other"


class Health(StrEnum):
    HEALTHY = "healthy"
    CHRONIC_ILLNESS = "chronic_illness"  # 慢性病
    PARTIALLY_DISABLED = "partially_disabled"  # 半失能
    FULLY_DISABLED = "fully_disabled"  # 完全失能
    DEMENTIA = "dementia"  # 失智


class CareSituation(StrEnum):
    SELF_CARE = "self_care"  # 生活自理
    FAMILY_CARE = "family_care"
    PAID_CARER = "paid_carer"
    COMMUNITY_CARE = "community_care"
    INSTITUTION_CARE = "institution_care"
    NO_CARE = "no_care"  # 无人照料


class ElderlyProfile(_Profile):
    economic_source: EconomicSource | None = None
    family_structure: FamilyStructure | None = None
    health: Health | None = None
    care_situation: CareSituation | None = None


class ParentStatus(StrEnum):
    AT_HOME = "at_home"
    WORKING_AWAY = "working_away"  # 外出务工
    DECEASED = "deceased"
    MISSING = "missing"  # 失联
    IMPRISONED = "imprisoned"  # 服刑在押
    SERIOUSLY_ILL_OR_DISABLED = "seriously_ill_or_disabled"  # 重病、重残
    REMARRIED_AWAY = "remarried_away"
    UNKNOWN = "unknown"


class ChildProfile(_Profile):
    guardian_name: str | None = Field(None, max_length=50)
    guardian_relation: str | None = Field(None, max_length=20, examples=["祖母"])
    guardian_phone: PhoneNumber | None = None
    father_status: ParentStatus | None = None
    mother_status: ParentStatus | None = None
    school: str | None = Field(None, max_length=100)
    grade: str | None = Field(None, max_length=20, examples=["四年级"])


class DisabilityCategory(StrEnum):
    VISUAL = "visual"  # 视力
    HEARING = "hearing"  # 听力
    SPEECH = "speech"  # 言语
    PHYSICAL = "physical"  # 肢体
    INTELLECTUAL = "intellectual"  # 智力
    MENTAL = "mental"  # 精神
    MULTIPLE = "multiple"  # 多重


class DisabilityProfile(_Profile):
    category: DisabilityCategory
    grade: int = Field(ge=1, le=4, description="残疾等级: 1 is the most severe, 4 the least")
    certificate_number: str | None = Field(
        None, min_length=18, max_length=22, description="残疾人证号 (ID number + category + grade)"
    )


class MentalHealthProfile(_Profile):
    risk_level: int = Field(ge=0, le=5, description="危险性评估等级, 0 to 5")
    guardian_name: str | None = Field(None, max_length=50)
    guardian_phone: PhoneNumber | None = None


class FamilyTracing(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"  # 寻亲中
    FAMILY_FOUND = "family_found"
    RETURNED_HOME = "returned_home"  # 已返乡
    UNSUCCESSFUL = "unsuccessful"


class HomelessProfile(_Profile):
    found_at: str = Field(min_length=2, max_length=200, description="Where the patrol found them")
    found_on: date
    family_tracing: FamilyTracing = FamilyTracing.NOT_STARTED


class AssistanceProfile(_Profile):
    """Subsistence allowance (低保) or extreme-poverty support (特困供养)."""

    certificate_number: str | None = Field(None, max_length=40)
    monthly_allowance_fen: int | None = Field(None, ge=0, description="Integer fen")
    approved_on: date | None = None


class PersonProfiles(_Profile):
    elderly: ElderlyProfile | None = None
    child: ChildProfile | None = None
    disability: DisabilityProfile | None = None
    mental_health: MentalHealthProfile | None = None
    homeless: HomelessProfile | None = None
    assistance: AssistanceProfile | None = None
