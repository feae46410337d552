"""Cases in the service layer: a case's life replayed into an empty ledger, intake's
events last, gives the same rows; the risk of open cases follows merges and closings;
a merged file takes no case and the one-open-case-per-kind rule counts merged files."""

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from integration.conftest import MigratedDatabase, Sessions
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.service_layer import cases
from wushe.ledger.service_layer.case_reads import cases_of, current_risk
from wushe.ledger.service_layer.cases import CaseDesk, Closing
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.ledger.service_layer.projection_comparison import compare_databases
from wushe.ledger.service_layer.timeline import persons_on_file
from wushe.shared.auth import Caller, Role
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.cases import (
    Agency,
    AgencyKind,
    CaseKind,
    CaseRisk,
    ClosingReason,
    GoalOutcome,
    SatisfactionScores,
    Stage,
)
from wushe.shared.events.intake import PersonMerged, PersonRegistered
from wushe.shared.messaging_tables import outbox
from wushe.shared.refusals import Refused
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

LEDGER = Producer(service="ledger", deployment="test")
INTAKE = Producer(service="intake", deployment="test")
VILLAGE = "420704001003"
WORKER = Caller(subject="worker-017", role=Role.SOCIAL_WORKER, region="420704")
Desk = Callable[[], CaseDesk]


def registered(person_id: uuid.UUID) -> EventEnvelope:
    return new_event(
        PersonRegistered(person_id=person_id, residence_region=VILLAGE, station_region="420704",
                         groups=["elderly_living_alone"]),
        subject=str(person_id), region_code=VILLAGE, producer=INTAKE,
    )  # fmt: skip


def merged(survivor: uuid.UUID, duplicate: uuid.UUID) -> EventEnvelope:
    return new_event(
        PersonMerged(survivor_id=survivor, merged_id=duplicate, merge_id=uuid.uuid4(),
                     groups=["elderly_living_alone"]),
        subject=str(survivor), region_code=VILLAGE, producer=INTAKE,
    )  # fmt: skip


def desk_on(sessions: Sessions) -> Desk:
    cipher = Settings().field_cipher()
    return lambda: CaseDesk(UnitOfWork(sessions), LEDGER, cipher, WORKER)


async def a_whole_life(desk: Desk, person: uuid.UUID) -> str:
    """Opened, planned, intervened in, conferred on, evaluated, closed and reopened."""
    opened = await cases.open_case(
        desk(), str(person), CaseKind.ELDERLY_CARE, CaseRisk.MEDIUM, None, "独居，近期跌倒"
    )
    case_id = str(opened.payload["case_id"])
    for stage in (Stage.ASSESSMENT, Stage.PLANNING):
        await cases.move_case(desk(), case_id, stage, None)
    goals = await cases.set_goals(desk(), case_id, ["每日有人送餐"])
    await cases.move_case(desk(), case_id, Stage.INTERVENTION, "开始送餐")
    agency = Agency(kind=AgencyKind.STREET_OFFICE, name="凤凰街道办事处")
    await cases.hold_conference(desk(), case_id, date.today(), [agency], "协调助餐点")
    await cases.change_risk(desk(), case_id, CaseRisk.LOW, "已有人照看")
    await cases.move_case(desk(), case_id, Stage.EVALUATION, None)
    goal_id = str(goals.payload["goals"][0]["goal_id"])
    await cases.evaluate_goal(desk(), case_id, goal_id, GoalOutcome.ACHIEVED, None)
    survey = SatisfactionScores(attitude=5, responsiveness=5, helpfulness=4, overall=5)
    closing = Closing(ClosingReason.GOALS_MET, None, survey, "满意")
    await cases.close_case(desk(), case_id, closing)
    await cases.reopen_case(desk(), case_id, "出院后重新评估")
    await cases.reassign(desk(), case_id, "worker-031")
    return case_id


async def test_a_replayed_case_gives_the_same_rows(migrated_database: MigratedDatabase) -> None:
    live = await migrated_database("ledger", MIGRATIONS)
    person, duplicate = uuid.uuid4(), uuid.uuid4()
    intake_events = [registered(person), registered(duplicate)]
    for event in intake_events:
        await apply_consumed(UnitOfWork(live), event, LEDGER)
    desk = desk_on(live)
    await a_whole_life(desk, person)
    await cases.open_case(
        desk(), str(duplicate), CaseKind.POVERTY_RELIEF, CaseRisk.HIGH, None, None
    )
    intake_events.append(merged(person, duplicate))
    await apply_consumed(UnitOfWork(live), intake_events[-1], LEDGER)

    async with live() as session:
        bodies = await session.scalars(
            select(outbox.c.body)
            .where(outbox.c.event_type.startswith("case."))
            .order_by(outbox.c.id)
        )
        case_events = [EventEnvelope.model_validate_json(body) for body in bodies]
    assert len(case_events) == 13
    replayed = await migrated_database("ledger_replayed", MIGRATIONS)
    for event in [*case_events, *intake_events]:
        await apply_consumed(UnitOfWork(replayed), event, LEDGER)

    differences = {
        comparison.table: comparison.examples
        for comparison in await compare_databases(url_of(live), url_of(replayed))
        if comparison.differences
    }
    assert differences == {}


async def test_risk_and_the_rules_follow_a_merge(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    survivor, duplicate = uuid.uuid4(), uuid.uuid4()
    for event in (registered(survivor), registered(duplicate)):
        await apply_consumed(UnitOfWork(sessions), event, LEDGER)
    desk = desk_on(sessions)
    own = await a_whole_life(desk, survivor)
    relief = await cases.open_case(
        desk(), str(duplicate), CaseKind.POVERTY_RELIEF, CaseRisk.HIGH, None, None
    )
    await apply_consumed(UnitOfWork(sessions), merged(survivor, duplicate), LEDGER)

    async def risk() -> str | None:
        async with sessions() as session:
            return await current_risk(session, await persons_on_file(session, str(survivor)))

    assert await risk() == "high"
    with pytest.raises(Refused) as on_merged:
        await cases.open_case(
            desk(), str(duplicate), CaseKind.MENTAL_HEALTH, CaseRisk.LOW, None, None
        )
    assert on_merged.value.field == "person_id"
    with pytest.raises(Refused) as second:
        await cases.open_case(
            desk(), str(survivor), CaseKind.POVERTY_RELIEF, CaseRisk.LOW, None, None
        )
    assert (second.value.field, second.value.status_code) == ("kind", 409)

    relief_id = str(relief.payload["case_id"])
    await cases.close_case(desk(), relief_id, Closing(ClosingReason.MOVED_AWAY))
    assert await risk() == "low"
    with pytest.raises(Refused) as reopening:
        await cases.reopen_case(desk(), relief_id, "回到本地")
    assert reopening.value.field == "person_id"
    await cases.close_case(desk(), own, Closing(ClosingReason.DECLINED))
    assert await risk() is None
    async with sessions() as session:
        listed = await cases_of(session, await persons_on_file(session, str(survivor)))
    assert {case.id for case in listed} == {own, relief_id}


def url_of(sessions: Sessions) -> str:
    url: str = sessions.kw["bind"].url.render_as_string(hide_password=False)
    return url
