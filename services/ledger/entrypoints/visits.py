"""Visits: recording them, the regions' visit rules, the visits due, the overdue check."""

from datetime import date, datetime
from uuid import UUID

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from wushe.ledger.adapters.visit_orm import VisitPlanRecord, VisitRecord, VisitRuleRecord
from wushe.ledger.domain.escalation import level_of
from wushe.ledger.service_layer.files import file_of
from wushe.ledger.service_layer.overdue import detect_overdue, policy_from_environment
from wushe.ledger.service_layer.timeline import persons_on_file
from wushe.ledger.service_layer.visit_plans import today_in_china
from wushe.ledger.service_layer.visits import (
    FINDINGS_COLUMN,
    NewVisit,
    record_visit,
    rules_within,
    set_visit_rule,
    visits_due,
    visits_of,
)
from wushe.shared.auth import CurrentCaller, Role, require_region, require_role
from wushe.shared.events.visits import CrisisKind, ServiceKind, VisitorKind, VisitRuleSet
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.http import RuntimeDep
from wushe.shared.refusals import NotFound
from wushe.shared.regions import RegionCode, scope_prefix
from wushe.shared.telemetry import current_trace_id

router = APIRouter(tags=["visits"])

# Those who run the station's work.
VISITORS = (Role.ADMIN, Role.STATION_STAFF, Role.SOCIAL_WORKER)
# Who may read what a visit found.
FINDINGS_READERS = VISITORS
# Who may record a visit or a service: volunteers record their own, for the time bank.
WORK_RECORDERS = (*VISITORS, Role.VOLUNTEER)


class VisitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visited_on: date = Field(description="Day of the visit; not in the future")
    visitor_kind: VisitorKind = Field(
        description="Whether the visitor is a volunteer or a social worker"
    )
    services: list[ServiceKind] = Field(
        min_length=1, description="Services delivered during the visit"
    )
    findings: str | None = Field(
        None, max_length=4000, description="What the visitor found; stored sealed"
    )
    follow_up_needed: bool = False
    crisis_kind: CrisisKind | None = Field(
        None, description="Set when the visit found a crisis; alerts at once"
    )
    duration_minutes: int | None = Field(None, ge=1, le=1440)
    volunteer_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="The volunteer who visited, when staff record a volunteer's visit",
    )


class VisitView(BaseModel):
    visit_id: UUID
    person_id: UUID
    visited_on: date
    visitor: str | None
    visitor_kind: str
    services: list[str]
    duration_minutes: int | None
    findings: str | None = Field(
        description="Shown to admins, station staff and social workers only"
    )
    follow_up_needed: bool
    crisis_kind: str | None
    region_code: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: VisitRecord, cipher: FieldCipher | None) -> "VisitView":
        findings = (
            cipher.decrypt(row.findings, FINDINGS_COLUMN) if cipher and row.findings else None
        )
        return cls(
            visit_id=UUID(row.id), person_id=UUID(row.person_id), visited_on=row.visited_on,
            visitor=row.visitor, visitor_kind=row.visitor_kind, services=row.services,
            duration_minutes=row.duration_minutes, findings=findings,
            follow_up_needed=row.follow_up_needed, crisis_kind=row.crisis_kind,
            region_code=row.region_code, recorded_at=row.recorded_at,
        )  # fmt: skip


class Recorded(BaseModel):
    id: UUID
    event_id: UUID
    trace_id: str | None = Field(default_factory=current_trace_id)


class RuleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval_days: int = Field(ge=1, le=366, description="Days between visits")
    risk_level: str | None = Field(
        None, description="Only for this risk level (low, medium, high, critical)"
    )


class RuleView(BaseModel):
    region_code: str
    group: str
    risk_level: str | None
    interval_days: int
    set_at: datetime
    set_by: str | None

    @classmethod
    def of(cls, row: VisitRuleRecord) -> "RuleView":
        return cls(
            region_code=row.region_code, group=row.group, risk_level=row.risk_level or None,
            interval_days=row.interval_days, set_at=row.set_at, set_by=row.set_by,
        )  # fmt: skip


class DueVisit(BaseModel):
    person_id: UUID
    region_code: str
    interval_days: int | None
    last_visited_on: date | None
    next_due_on: date
    overdue: bool
    escalated_to: str | None = Field(description="How far up the chain the missed visit has gone")

    @classmethod
    def of(cls, plan: VisitPlanRecord, region_code: str, today: date) -> "DueVisit":
        assert plan.next_due_on is not None
        ranked = plan.overdue_due_on == plan.next_due_on and plan.overdue_rank > 0
        return cls(
            person_id=UUID(plan.person_id), region_code=region_code,
            interval_days=plan.interval_days, last_visited_on=plan.last_visited_on,
            next_due_on=plan.next_due_on, overdue=plan.next_due_on < today,
            escalated_to=level_of(plan.overdue_rank) if ranked else None,
        )  # fmt: skip


class OverdueCheck(BaseModel):
    as_of: date
    overdue: int = Field(description="Missed visits reported now")
    escalated: int = Field(description="Escalations emitted now")


@router.post(
    "/files/{person_id}/visits", status_code=status.HTTP_201_CREATED, response_model=Recorded
)
async def post_visit(
    person_id: UUID, body: VisitBody, caller: CurrentCaller, runtime: RuntimeDep
) -> Recorded:
    """Record a visit by the caller (a volunteer or social worker). A visit with a
    ``crisis_kind`` is also reported as ``crisis.reported``."""
    require_role(caller, *WORK_RECORDERS)
    visit = NewVisit(**body.model_dump())
    event = await record_visit(
        runtime.unit_of_work(), runtime.producer, runtime.settings.field_cipher(),
        caller, str(person_id), visit,
    )  # fmt: skip
    return Recorded(id=event.payload["visit_id"], event_id=event.id)


@router.get("/files/{person_id}/visits", response_model=list[VisitView])
async def get_visits(
    person_id: UUID, caller: CurrentCaller, runtime: RuntimeDep
) -> list[VisitView]:
    """The person's visits, latest first, with those recorded on files merged into theirs."""
    async with runtime.snapshot() as session:
        record = await file_of(session, str(person_id))
        if record is None:
            raise NotFound(f"no file for person {person_id}", field="person_id")
        require_region(caller, record.region_code)
        rows = await visits_of(session, await persons_on_file(session, record.person_id))
    cipher = runtime.settings.field_cipher() if caller.role in FINDINGS_READERS else None
    return [VisitView.of(row, cipher) for row in rows]


@router.put("/visit-rules/{region}/{group}", response_model=Recorded)
async def put_visit_rule(
    body: RuleBody,
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region: RegionCode = Path(description="Division code; the rule covers every code inside it"),
    group: str = Path(examples=["elderly_living_alone"]),
) -> Recorded:
    """Set the region's own visit interval for a group (and optionally one risk level).
    The most specific region's rule wins over those above it and the built-in defaults."""
    require_role(caller, Role.ADMIN, Role.STATION_STAFF)
    rule = VisitRuleSet(region_code=region, group=group, **body.model_dump())
    event = await set_visit_rule(runtime.unit_of_work(), runtime.producer, caller, rule)
    return Recorded(id=event.id, event_id=event.id)


@router.get("/visit-rules", response_model=list[RuleView])
async def get_visit_rules(caller: CurrentCaller, runtime: RuntimeDep) -> list[RuleView]:
    """The rules set inside the caller's region."""
    async with runtime.snapshot() as session:
        rows = await rules_within(session, scope_prefix(caller.region))
    return [RuleView.of(row) for row in rows]


@router.get("/visits/due", response_model=list[DueVisit])
async def get_due_visits(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region: RegionCode | None = Query(None, description="Default: the caller's region"),
    before: date | None = Query(None, description="Due on or before this day; default today"),
    limit: int = Query(200, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[DueVisit]:
    """A station's list of visits due and overdue, most overdue first."""
    region = region or caller.region
    require_region(caller, region, field="region")
    today = today_in_china()
    async with runtime.snapshot() as session:
        rows = await visits_due(
            session, scope_prefix(region), before or today, limit=limit, offset=offset
        )
    return [DueVisit.of(plan, code, today) for plan, code in rows]


@router.post("/visits/overdue-check", response_model=OverdueCheck)
async def check_overdue(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    as_of: date | None = Query(None, description="The day to check as of; default today in China"),
) -> OverdueCheck:
    """Run the overdue sweep now (it also runs on its own in the background)."""
    require_role(caller, Role.ADMIN)
    day = as_of or today_in_china()
    found = await detect_overdue(
        runtime.unit_of_work(), runtime.producer, day, policy=policy_from_environment()
    )
    return OverdueCheck(as_of=day, overdue=found.overdue, escalated=found.escalated)
