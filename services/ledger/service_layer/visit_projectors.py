"""Projectors of the ledger's events about visits, visit rules, missed visits, services
and activities: the rows those events imply, and the entries on the person's timeline.

A visit or a rule plans the persons it concerns again (``visit_plans``); a reported or
escalated missed visit moves its plan's place on the escalation chain.
"""

from wushe.ledger.adapters.visit_orm import (
    ActivityRecord,
    MissedVisitRecord,
    ServiceRecord,
    VisitRecord,
    VisitRuleRecord,
)
from wushe.ledger.domain.escalation import CHAIN, EscalationLevel
from wushe.ledger.service_layer.projection import Applying, projection
from wushe.ledger.service_layer.timeline import add_entry
from wushe.ledger.service_layer.visit_plans import note_replan, plan_of, replan_region
from wushe.shared.events.visits import (
    ActivityHeld,
    ServiceRecorded,
    VisitEscalated,
    VisitOverdue,
    VisitRecorded,
    VisitRuleSet,
)
from wushe.shared.regions import scope_prefix


@projection.on("visit.recorded")
async def keep_visit(applying: Applying) -> None:
    visit = VisitRecorded.model_validate(applying.event.payload)
    person_id = str(visit.person_id)
    applying.session.add(
        VisitRecord(
            id=str(visit.visit_id),
            person_id=person_id,
            visited_on=visit.visited_on,
            visitor=applying.event.actor,
            visitor_kind=visit.visitor_kind.value,
            services=[service.value for service in visit.services],
            duration_minutes=visit.duration_minutes,
            findings=visit.findings_sealed,
            follow_up_needed=visit.follow_up_needed,
            crisis_kind=visit.crisis_kind.value if visit.crisis_kind else None,
            region_code=applying.event.region_code,
            recorded_at=applying.event.occurred_at,
        )
    )
    details = visit.model_dump(mode="json", exclude={"findings_sealed"})
    add_entry(applying, person_id, {**details, "findings_recorded": bool(visit.findings_sealed)})
    note_replan(applying.session, person_id)


@projection.on("crisis.reported")
async def note_crisis(applying: Applying) -> None:
    add_entry(applying, str(applying.event.payload["person_id"]))


@projection.on("visit_rule.set")
async def keep_rule(applying: Applying) -> None:
    rule = VisitRuleSet.model_validate(applying.event.payload)
    prefix = scope_prefix(rule.region_code)
    key = (prefix, rule.group, rule.risk_level or "")
    record = await applying.session.get(VisitRuleRecord, key)
    if record is None:
        record = VisitRuleRecord(region_prefix=prefix, group=rule.group, risk_level=key[2])
        applying.session.add(record)
    record.region_code = rule.region_code
    record.interval_days = rule.interval_days
    record.set_at = applying.event.occurred_at
    record.set_by = applying.event.actor
    await applying.session.flush()
    await replan_region(applying.session, prefix)


@projection.on("visit.overdue")
async def note_overdue(applying: Applying) -> None:
    overdue = VisitOverdue.model_validate(applying.event.payload)
    person_id = str(overdue.person_id)
    plan = await plan_of(applying.session, person_id)
    plan.overdue_due_on = overdue.due_on
    plan.overdue_rank = 1
    missed = await applying.session.get(MissedVisitRecord, (person_id, overdue.due_on))
    if missed is None:
        applying.session.add(
            MissedVisitRecord(
                person_id=person_id,
                due_on=overdue.due_on,
                detected_on=overdue.detected_on,
                region_code=applying.event.region_code,
            )
        )
    add_entry(applying, person_id)


@projection.on("visit.escalated")
async def note_escalation(applying: Applying) -> None:
    escalated = VisitEscalated.model_validate(applying.event.payload)
    person_id = str(escalated.person_id)
    plan = await plan_of(applying.session, person_id)
    if plan.overdue_due_on == escalated.due_on:
        rank = CHAIN.index(EscalationLevel(escalated.level)) + 1
        plan.overdue_rank = max(plan.overdue_rank, rank)
    add_entry(applying, person_id)


@projection.on("service.recorded")
async def keep_service(applying: Applying) -> None:
    service = ServiceRecorded.model_validate(applying.event.payload)
    applying.session.add(
        ServiceRecord(
            id=str(service.service_id),
            person_id=str(service.person_id),
            kind=service.kind.value,
            served_on=service.served_on,
            provider=applying.event.actor,
            duration_minutes=service.duration_minutes,
            region_code=applying.event.region_code,
        )
    )
    add_entry(applying, str(service.person_id))


@projection.on("activity.held")
async def keep_activity(applying: Applying) -> None:
    held = ActivityHeld.model_validate(applying.event.payload)
    applying.session.add(
        ActivityRecord(
            id=str(held.activity_id),
            region_code=held.region_code,
            title=held.title,
            kind=held.kind.value,
            held_on=held.held_on,
            participants=held.participants,
            volunteers=held.volunteers,
            recorded_by=applying.event.actor,
        )
    )
