"""Events about visits (探访), individual services and group activities, and the visit
rules regions set.

Findings travel sealed (encrypted for the ledger's column), never in clear; a crisis
is named by its kind only, so that notify can alert the station and the agency at once
without learning what was found.
"""

from datetime import date
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, Field

from wushe.shared.events import topics
from wushe.shared.events.registry import registry
from wushe.shared.regions import RecordedRegionCode


class ServiceKind(StrEnum):
    """A service the texts list for visits and individual service, as a stable code;
    people are shown its official name."""

    HOME_VISIT = "home_visit"
    PSYCHOLOGICAL_COMFORT = "psychological_comfort"
    CRISIS_INTERVENTION = "crisis_intervention"
    POLICY_CONSULTATION = "policy_consultation"
    DAILY_CARE = "daily_care"
    SHOPPING_AND_MEALS = "shopping_and_meals"
    SAFETY_EDUCATION = "safety_education"
    TUTORING = "tutoring"
    COUNSELLING = "counselling"
    SOCIAL_INTEGRATION = "social_integration"
    SOCIAL_SUPPORT = "social_support"
    REHABILITATION = "rehabilitation"
    PARENTING_GUIDANCE = "parenting_guidance"
    SKILLS_TRAINING = "skills_training"
    FAMILY_TRACING = "family_tracing"
    JOB_GUIDANCE = "job_guidance"
    CHARITY_RELIEF = "charity_relief"


SERVICE_KIND_NAMES: dict[str, str] = {
    ServiceKind.HOME_VISIT: "探视巡访",
    ServiceKind.PSYCHOLOGICAL_COMFORT: "心理慰藉",
    ServiceKind.CRISIS_INTERVENTION: "危机干预",
    ServiceKind.POLICY_CONSULTATION: "政策咨询",
    ServiceKind.DAILY_CARE: "生活照料",
    ServiceKind.SHOPPING_AND_MEALS: "代买助餐",
    ServiceKind.SAFETY_EDUCATION: "安全教育",
    ServiceKind.TUTORING: "学业辅导",
    ServiceKind.COUNSELLING: "心理疏导",
    ServiceKind.SOCIAL_INTEGRATION: "社会融入",
    ServiceKind.SOCIAL_SUPPORT: "社会支持",
    ServiceKind.REHABILITATION: "康复训练",
    ServiceKind.PARENTING_GUIDANCE: "亲职教育",
    ServiceKind.SKILLS_TRAINING: "技能培训",
    ServiceKind.FAMILY_TRACING: "寻亲返乡",
    ServiceKind.JOB_GUIDANCE: "就业指导",
    ServiceKind.CHARITY_RELIEF: "慈善救助",
}


class ActivityKind(StrEnum):
    """A group activity's kind, as a stable code; people are shown its official name."""

    GROUP_WORK = "group_work"
    COMMUNITY_EVENT = "community_event"
    LECTURE = "lecture"
    FESTIVAL_VISIT = "festival_visit"
    VOLUNTEER_SERVICE = "volunteer_service"
    MUTUAL_AID = "mutual_aid"


ACTIVITY_KIND_NAMES: dict[str, str] = {
    ActivityKind.GROUP_WORK: "小组活动",
    ActivityKind.COMMUNITY_EVENT: "社区活动",
    ActivityKind.LECTURE: "讲座培训",
    ActivityKind.FESTIVAL_VISIT: "节日慰问",
    ActivityKind.VOLUNTEER_SERVICE: "志愿服务",
    ActivityKind.MUTUAL_AID: "邻里互助",
}


class VisitorKind(StrEnum):
    VOLUNTEER = "volunteer"
    SOCIAL_WORKER = "social_worker"


class CrisisKind(StrEnum):
    SELF_HARM_RISK = "self_harm_risk"  # 自伤自杀风险
    ABUSE = "abuse"  # 遭受虐待、侵害
    MISSING = "missing"  # 走失、失联
    MEDICAL_EMERGENCY = "medical_emergency"  # 突发疾病
    NO_CARER = "no_carer"  # 监护缺失、无人照料
    HOUSING_DANGER = "housing_danger"  # 居住安全隐患


VISITOR_KIND_NAMES: dict[str, str] = {
    VisitorKind.VOLUNTEER: "志愿者",
    VisitorKind.SOCIAL_WORKER: "社工",
}

CRISIS_KIND_NAMES: dict[str, str] = {
    CrisisKind.SELF_HARM_RISK: "自伤自杀风险",
    CrisisKind.ABUSE: "遭受虐待、侵害",
    CrisisKind.MISSING: "走失、失联",
    CrisisKind.MEDICAL_EMERGENCY: "突发疾病",
    CrisisKind.NO_CARER: "监护缺失、无人照料",
    CrisisKind.HOUSING_DANGER: "居住安全隐患",
}


@registry.register("visit_rule.set", version=1, topic=topics.LEDGER_FILE)
class VisitRuleSet(BaseModel):
    """A region set its own visit interval for a group (and optionally one risk level).
    Keyed by the region code."""

    region_code: RecordedRegionCode = Field(description="The rule covers every code inside it")
    group: str = Field(examples=["elderly_living_alone"])
    risk_level: str | None = Field(None, examples=["high"])
    interval_days: int = Field(ge=1, le=366)


@registry.register("visit.recorded", version=1, topic=topics.LEDGER_FILE)
class VisitRecorded(BaseModel):
    """A volunteer or social worker visited a person (the visitor is the event's actor,
    or the volunteer named by ``volunteer_id`` when staff recorded a volunteer's visit)."""

    visit_id: UUID
    person_id: UUID
    visited_on: date
    visitor_kind: VisitorKind
    services: list[ServiceKind] = Field(min_length=1)
    duration_minutes: int | None = Field(None, ge=1)
    findings_sealed: str | None = Field(None, description="Encrypted for ledger_visits.findings")
    follow_up_needed: bool = False
    crisis_kind: CrisisKind | None = None
    volunteer_id: str | None = Field(
        None, max_length=100, description="The volunteer who visited (their token subject)"
    )


@registry.register("crisis.reported", version=1, topic=topics.LEDGER_FILE)
class CrisisReported(BaseModel):
    """A visit found a person in crisis: the station and the agencies act at once."""

    visit_id: UUID
    person_id: UUID
    crisis_kind: CrisisKind
    found_on: date


@registry.register("visit.overdue", version=1, topic=topics.LEDGER_FILE)
class VisitOverdue(BaseModel):
    """A person's visit due on ``due_on`` was missed; the volunteer team is told first."""

    person_id: UUID
    due_on: date
    interval_days: int
    detected_on: date
    notified_level: str = Field(examples=["volunteer_team"])


@registry.register("visit.escalated", version=1, topic=topics.LEDGER_FILE)
class VisitEscalated(BaseModel):
    """A missed visit stays missed and goes one level up the chain."""

    person_id: UUID
    due_on: date
    level: str = Field(examples=["community"], description="community, station, street_office")
    days_overdue: int
    detected_on: date


@registry.register("service.recorded", version=1, topic=topics.LEDGER_FILE)
class ServiceRecorded(BaseModel):
    """An individual service given to a person (the provider is the event's actor, or the
    volunteer named by ``volunteer_id`` when staff recorded a volunteer's service)."""

    service_id: UUID
    person_id: UUID
    kind: ServiceKind
    served_on: date
    duration_minutes: int | None = Field(None, ge=1)
    volunteer_id: str | None = Field(
        None,
        max_length=100,
        description="The volunteer who gave it (their token subject); absent for staff's work",
    )


@registry.register("activity.held", version=1, topic=topics.LEDGER_FILE)
class ActivityHeld(BaseModel):
    """A station held a group activity; keyed by the activity id."""

    activity_id: UUID
    region_code: RecordedRegionCode = Field(description="The station's region")
    title: str = Field(max_length=200, description="What it was, naming no one")
    kind: ActivityKind
    held_on: date
    participants: int = Field(ge=0)
    volunteers: int = Field(0, ge=0)
