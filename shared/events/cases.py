"""Events about cases (个案): the standard process from intake to closing, its goals,
case conferences, risk, the responsible social worker and the satisfaction survey.

Keyed by the person the case was opened for. Notes, goals, decisions and comments may
speak of health or family, so they travel sealed (encrypted for the ledger's column);
agencies are organisations and are named in clear; workers appear as token subjects.
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry


class CaseKind(StrEnum):
    """What a case is about, as a stable code; people are shown its official name."""

    ELDERLY_CARE = "elderly_care"
    CHILD_PROTECTION = "child_protection"
    DISABILITY = "disability"
    MENTAL_HEALTH = "mental_health"
    HOMELESS_RESCUE = "homeless_rescue"
    POVERTY_RELIEF = "poverty_relief"
    FAMILY_SUPPORT = "family_support"


CASE_KIND_NAMES: dict[str, str] = {
    CaseKind.ELDERLY_CARE: "养老服务",
    CaseKind.CHILD_PROTECTION: "儿童保护",
    CaseKind.DISABILITY: "残疾人服务",
    CaseKind.MENTAL_HEALTH: "精神健康",
    CaseKind.HOMELESS_RESCUE: "流浪乞讨救助",
    CaseKind.POVERTY_RELIEF: "困难救助",
    CaseKind.FAMILY_SUPPORT: "家庭支持",
}


class Stage(StrEnum):
    INTAKE = "intake"  # 接案
    ASSESSMENT = "assessment"  # 预估
    PLANNING = "planning"  # 制定计划
    INTERVENTION = "intervention"  # 介入
    EVALUATION = "evaluation"  # 评估
    CLOSED = "closed"  # 结案


class CaseRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ClosingReason(StrEnum):
    GOALS_MET = "goals_met"  # 目标达成
    REFERRED = "referred"  # 转介他处
    MOVED_AWAY = "moved_away"  # 迁出
    DIED = "died"  # 死亡
    DECLINED = "declined"  # 服务对象拒绝服务


RISK_NAMES: dict[str, str] = {
    CaseRisk.LOW: "低风险",
    CaseRisk.MEDIUM: "中风险",
    CaseRisk.HIGH: "高风险",
    CaseRisk.CRITICAL: "极高风险",
}

CLOSING_REASON_NAMES: dict[str, str] = {
    ClosingReason.GOALS_MET: "目标达成",
    ClosingReason.REFERRED: "转介他处",
    ClosingReason.MOVED_AWAY: "迁出",
    ClosingReason.DIED: "死亡",
    ClosingReason.DECLINED: "服务对象拒绝服务",
}


class GoalOutcome(StrEnum):
    ACHIEVED = "achieved"  # 达成
    PARTLY = "partly"  # 部分达成
    NOT_ACHIEVED = "not_achieved"  # 未达成


class AgencyKind(StrEnum):
    """An organisation's kind, as a stable code; people are shown its official name."""

    CIVIL_AFFAIRS = "civil_affairs"
    STREET_OFFICE = "street_office"
    RESIDENTS_COMMITTEE = "residents_committee"
    SOCIAL_WORK_AGENCY = "social_work_agency"
    HEALTH = "health"
    EDUCATION = "education"
    PUBLIC_SECURITY = "public_security"
    JUDICIAL = "judicial"
    WOMENS_FEDERATION = "womens_federation"
    DISABLED_FEDERATION = "disabled_federation"
    CHARITY = "charity"
    OTHER = "other"


AGENCY_KIND_NAMES: dict[str, str] = {
    AgencyKind.CIVIL_AFFAIRS: "民政部门",
    AgencyKind.STREET_OFFICE: "街道办事处",
    AgencyKind.RESIDENTS_COMMITTEE: "居（村）委会",
    AgencyKind.SOCIAL_WORK_AGENCY: "社会工作服务机构",
    AgencyKind.HEALTH: "卫生健康机构",
    AgencyKind.EDUCATION: "教育部门",
    AgencyKind.PUBLIC_SECURITY: "公安机关",
    AgencyKind.JUDICIAL: "司法机关",
    AgencyKind.WOMENS_FEDERATION: "妇联",
    AgencyKind.DISABLED_FEDERATION: "残联",
    AgencyKind.CHARITY: "慈善组织",
    AgencyKind.OTHER: "其他",
}


class Agency(BaseModel):
    """An organisation that took part in a case conference (never a person)."""

    model_config = ConfigDict(extra="forbid")

    kind: AgencyKind
    name: str = Field(min_length=1, max_length=100, examples=["鄂州市城区社会工作服务中心"])


class SatisfactionScores(BaseModel):
    """The closing survey (结案满意度调查): every question scored 1 (very dissatisfied)
    to 5 (very satisfied)."""

    model_config = ConfigDict(extra="forbid")

    attitude: int = Field(ge=1, le=5, description="社工的服务态度")
    responsiveness: int = Field(ge=1, le=5, description="回应需求是否及时")
    helpfulness: int = Field(ge=1, le=5, description="服务对解决问题的帮助")
    overall: int = Field(ge=1, le=5, description="总体满意度")


class SealedGoal(BaseModel):
    goal_id: UUID
    description_sealed: str


@registry.register("case.opened", version=1, topic=topics.LEDGER_FILE)
class CaseOpened(BaseModel):
    """A case was taken on (接案) for a person; the actor took it on."""

    case_id: UUID
    person_id: UUID
    kind: CaseKind
    risk_level: CaseRisk
    social_worker: str = Field(description="Responsible worker's account", examples=["worker-017"])
    note_sealed: str | None = None


@registry.register("case.advanced", version=1, topic=topics.LEDGER_FILE)
class CaseAdvanced(BaseModel):
    """The case moved to another stage of the process (closing has its own event)."""

    case_id: UUID
    person_id: UUID
    from_stage: Stage
    to_stage: Stage
    note_sealed: str | None = None


@registry.register("case.risk_changed", version=1, topic=topics.LEDGER_FILE)
class CaseRiskChanged(BaseModel):
    case_id: UUID
    person_id: UUID
    from_level: CaseRisk
    to_level: CaseRisk
    reason_sealed: str


@registry.register("case.goals_set", version=1, topic=topics.LEDGER_FILE)
class CaseGoalsSet(BaseModel):
    """Goals were added to the case's plan."""

    case_id: UUID
    person_id: UUID
    goals: list[SealedGoal] = Field(min_length=1)


@registry.register("case.goal_evaluated", version=1, topic=topics.LEDGER_FILE)
class CaseGoalEvaluated(BaseModel):
    case_id: UUID
    person_id: UUID
    goal_id: UUID
    outcome: GoalOutcome
    note_sealed: str | None = None


@registry.register("case.conference_held", version=1, topic=topics.LEDGER_FILE)
class CaseConferenceHeld(BaseModel):
    """A case conference (个案会商) with other agencies, and what it decided."""

    case_id: UUID
    person_id: UUID
    conference_id: UUID
    held_on: date
    agencies: list[Agency] = Field(min_length=1)
    decisions_sealed: str


@registry.register("case.closed", version=1, topic=topics.LEDGER_FILE)
class CaseClosed(BaseModel):
    """The case was closed (结案), with why, and the person's survey if they answered it."""

    case_id: UUID
    person_id: UUID
    from_stage: Stage
    reason: ClosingReason
    note_sealed: str | None = None
    satisfaction: SatisfactionScores | None = None
    satisfaction_comment_sealed: str | None = None


@registry.register("case.reopened", version=1, topic=topics.LEDGER_FILE)
class CaseReopened(BaseModel):
    """A closed case was reopened; it returns to assessment."""

    case_id: UUID
    person_id: UUID
    note_sealed: str


@registry.register("case.reassigned", version=1, topic=topics.LEDGER_FILE)
class CaseReassigned(BaseModel):
    case_id: UUID
    person_id: UUID
    from_worker: str
    to_worker: str
