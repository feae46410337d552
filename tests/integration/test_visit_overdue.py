"""Overdue visits with a controllable clock, on SQLite and PostgreSQL: each missed visit
is reported once, escalates up the chain one level at a time, and a visit ends it."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from integration.conftest import MigratedDatabase, Sessions
from wushe.ledger.adapters.visit_orm import VisitPlanRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.domain.escalation import EscalationPolicy
from wushe.ledger.service_layer.commands import apply_consumed, record
from wushe.ledger.service_layer.overdue import SweepResult, detect_overdue
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.cases import CaseKind, CaseOpened, CaseRisk, CaseRiskChanged
from wushe.shared.events.intake import PersonDeceased, PersonRegistered
from wushe.shared.events.visits import ServiceKind, VisitorKind, VisitRecorded, VisitRuleSet
from wushe.shared.messaging_tables import outbox
from wushe.shared.unit_of_work import UnitOfWork

INTAKE = Producer(service="intake", deployment="test")
LEDGER = Producer(service="ledger", deployment="test")
VILLAGE = "420704001003"
OPENED = date(2026, 11, 2)


def on(day: date, payload: BaseModel, subject: str, producer: Producer) -> EventEnvelope:
    event = new_event(payload, subject=subject, region_code=VILLAGE, producer=producer)
    return event.model_copy(
        update={"occurred_at": datetime(day.year, day.month, day.day, 2, tzinfo=UTC)}
    )


async def register(sessions: Sessions, groups: list[str]) -> str:
    person = uuid.uuid4()
    registered = PersonRegistered(
        person_id=person, residence_region=VILLAGE, station_region=VILLAGE[:9], groups=groups
    )
    await apply_consumed(UnitOfWork(sessions), on(OPENED, registered, str(person), INTAKE), LEDGER)
    return str(person)


async def visit(sessions: Sessions, person: str, day: date) -> None:
    recorded = VisitRecorded(
        visit_id=uuid.uuid4(), person_id=uuid.UUID(person), visited_on=day,
        visitor_kind=VisitorKind.VOLUNTEER, services=[ServiceKind.HOME_VISIT],
    )  # fmt: skip
    uow = UnitOfWork(sessions)
    async with uow:
        await record(uow, on(day, recorded, person, LEDGER), LEDGER)
        await uow.commit()


async def sweep(sessions: Sessions, day: date, **kwargs: Any) -> SweepResult:
    return await detect_overdue(UnitOfWork(sessions), LEDGER, day, **kwargs)


async def emitted(sessions: Sessions, person: str) -> list[tuple[str, str | None]]:
    """The overdue and escalation events about the person in the outbox, in order."""
    async with sessions() as session:
        rows = await session.execute(
            select(outbox.c.event_type, outbox.c.body)
            .where(
                outbox.c.key == person,
                outbox.c.event_type.in_(["visit.overdue", "visit.escalated"]),
            )
            .order_by(outbox.c.id)
        )
        return [(kind, json.loads(body)["payload"].get("level")) for kind, body in rows]


async def test_a_missed_weekly_visit_is_reported_once_then_escalated(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await register(sessions, ["elderly_living_alone", "subsistence_allowance"])

    assert await sweep(sessions, OPENED + timedelta(days=7)) == SweepResult(0, 0)
    assert await sweep(sessions, OPENED + timedelta(days=8)) == SweepResult(overdue=1)
    assert await sweep(sessions, OPENED + timedelta(days=8)) == SweepResult()
    assert await sweep(sessions, OPENED + timedelta(days=13)) == SweepResult()
    assert await emitted(sessions, person) == [("visit.overdue", None)]

    assert await sweep(sessions, OPENED + timedelta(days=14)) == SweepResult(escalated=1)
    assert await sweep(sessions, OPENED + timedelta(days=40)) == SweepResult(escalated=2)
    assert await sweep(sessions, OPENED + timedelta(days=60)) == SweepResult()
    assert await emitted(sessions, person) == [
        ("visit.overdue", None), ("visit.escalated", "community"),
        ("visit.escalated", "station"), ("visit.escalated", "street_office"),
    ]  # fmt: skip


async def test_a_visit_ends_the_escalation(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await register(sessions, ["elderly_living_alone"])
    await sweep(sessions, OPENED + timedelta(days=15))
    assert len(await emitted(sessions, person)) == 2

    visited = OPENED + timedelta(days=16)
    await visit(sessions, person, visited)
    async with sessions() as session:
        plan = await session.get(VisitPlanRecord, person)
        assert plan is not None and plan.next_due_on == visited + timedelta(days=7)
    assert await sweep(sessions, visited + timedelta(days=7)) == SweepResult()
    # The next missed visit is a new one: reported again, from the first level.
    assert await sweep(sessions, visited + timedelta(days=8)) == SweepResult(overdue=1)
    assert [kind for kind, _ in await emitted(sessions, person)][-1] == "visit.overdue"


async def test_escalation_step_is_configurable(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await register(sessions, ["child_left_behind"])
    policy = EscalationPolicy(step_days=2)
    assert await sweep(sessions, OPENED + timedelta(days=31), policy=policy) == SweepResult(1, 0)
    assert await sweep(sessions, OPENED + timedelta(days=32), policy=policy) == SweepResult(0, 1)
    assert await sweep(sessions, OPENED + timedelta(days=33), policy=policy) == SweepResult(0, 0)
    assert (await emitted(sessions, person))[-1] == ("visit.escalated", "community")


async def test_the_dead_and_the_merged_are_never_overdue(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await register(sessions, ["elderly_living_alone"])
    death = PersonDeceased(person_id=uuid.UUID(person), died_on=OPENED + timedelta(days=3))
    await apply_consumed(
        UnitOfWork(sessions), on(OPENED + timedelta(days=3), death, person, INTAKE), LEDGER
    )
    assert await sweep(sessions, OPENED + timedelta(days=60)) == SweepResult()
    assert await emitted(sessions, person) == []


async def test_a_region_rule_changes_the_due_date(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await register(sessions, ["child_left_behind"])
    rule = VisitRuleSet(region_code=VILLAGE[:9], group="child_left_behind", interval_days=10)
    uow = UnitOfWork(sessions)
    async with uow:
        await record(uow, on(OPENED, rule, VILLAGE[:9], LEDGER), LEDGER)
        await uow.commit()
    async with sessions() as session:
        plan = await session.get(VisitPlanRecord, person)
        assert plan is not None and plan.next_due_on == OPENED + timedelta(days=10)
    assert await sweep(sessions, OPENED + timedelta(days=11)) == SweepResult(overdue=1)


async def test_the_sweep_goes_through_many_files_in_batches(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    for _ in range(7):
        await register(sessions, ["homeless"])
    assert await sweep(sessions, OPENED + timedelta(days=8), batch_size=3) == SweepResult(overdue=7)
    assert await sweep(sessions, OPENED + timedelta(days=8), batch_size=3) == SweepResult()


async def test_an_open_case_of_high_risk_halves_the_interval(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await register(sessions, ["child_in_difficulty"])
    case_id, person_uuid = uuid.uuid4(), uuid.UUID(person)
    opened = CaseOpened(case_id=case_id, person_id=person_uuid, kind=CaseKind.CHILD_PROTECTION,
                        risk_level=CaseRisk.HIGH, social_worker="worker-017")  # fmt: skip
    raised = CaseRiskChanged(case_id=case_id, person_id=person_uuid, from_level=CaseRisk.HIGH,
                             to_level=CaseRisk.CRITICAL, reason_sealed="sealed")  # fmt: skip
    due_dates = []
    for payload in (opened, raised):
        uow = UnitOfWork(sessions)
        async with uow:
            await record(uow, on(OPENED, payload, person, LEDGER), LEDGER)
            await uow.commit()
        async with sessions() as session:
            plan = await session.get(VisitPlanRecord, person)
            assert plan is not None
            due_dates.append(plan.next_due_on)
    assert due_dates == [OPENED + timedelta(days=7), OPENED + timedelta(days=3)]
