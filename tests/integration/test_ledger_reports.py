"""The report figures against a hand-computed fixture, on SQLite and PostgreSQL, and the
monthly dispatch workbook laid out as the bureaus' form."""

import uuid
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from integration.conftest import MigratedDatabase, Sessions
from wushe.ledger.adapters.dispatch_workbook import dispatch_workbook
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.domain.report_figures import Period
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.ledger.service_layer.reports import figures
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.cases import (
    CaseClosed,
    CaseKind,
    CaseOpened,
    CaseRisk,
    ClosingReason,
    Stage,
)
from wushe.shared.events.intake import PersonDeceased, PersonMerged, PersonRegistered
from wushe.shared.events.visits import (
    ActivityHeld,
    ActivityKind,
    ServiceKind,
    ServiceRecorded,
    VisitorKind,
    VisitOverdue,
    VisitRecorded,
)
from wushe.shared.refusals import Invalid
from wushe.shared.unit_of_work import UnitOfWork

INTAKE = Producer(service="intake", deployment="test")
LEDGER = Producer(service="ledger", deployment="test")
NOVEMBER = Period.month(2026, 11)
FENGHUANG, GUCHENG = "420704001", "420704001003"  # 凤凰街道, its 古城社区
GULOU, LIANGZIHU = "420704002", "420702"  # 古楼街道, 梁子湖区


def at(day: date, payload: BaseModel, subject: str, region: str) -> EventEnvelope:
    event = new_event(payload, subject=subject, region_code=region, producer=INTAKE)
    return event.model_copy(
        update={"occurred_at": datetime(day.year, day.month, day.day, 9, tzinfo=UTC)}
    )


async def register(sessions: Sessions, day: date, region: str, groups: list[str]) -> str:
    person = uuid.uuid4()
    registered = PersonRegistered(person_id=person, residence_region=region,
                                  station_region=region[:9], groups=groups)  # fmt: skip
    await apply_consumed(UnitOfWork(sessions), at(day, registered, str(person), region), LEDGER)
    return str(person)


async def fixture(sessions: Sessions) -> None:
    october, november, december = date(2026, 10, 8), date(2026, 11, 12), date(2026, 12, 2)
    elder = await register(
        sessions, october, GUCHENG, ["elderly_living_alone", "elderly_advanced_age"]
    )
    await register(sessions, november, GUCHENG, ["child_left_behind", "subsistence_allowance"])
    await register(sessions, november, FENGHUANG + "004", ["disabled", "elderly_empty_nest"])
    died_in_november = await register(sessions, october, GULOU + "001", ["extreme_poverty"])
    died_later = await register(sessions, october, GULOU + "001", ["homeless"])
    await register(sessions, december, GULOU + "001", ["child_orphan"])
    await register(sessions, november, LIANGZIHU + "001001", ["severe_mental_disorder"])
    survivor = await register(sessions, october, GULOU + "002", ["elderly_empty_nest"])
    merged = await register(sessions, october, GULOU + "002", ["elderly_empty_nest"])
    for person, died_on in ((died_in_november, date(2026, 11, 20)), (died_later, december)):
        death = PersonDeceased(person_id=uuid.UUID(person), died_on=died_on)
        await apply_consumed(UnitOfWork(sessions), at(died_on, death, person, GULOU), LEDGER)
    merge = PersonMerged(survivor_id=uuid.UUID(survivor), merged_id=uuid.UUID(merged),
                         merge_id=uuid.uuid4(), groups=["elderly_empty_nest"])  # fmt: skip
    await apply_consumed(UnitOfWork(sessions), at(november, merge, survivor, GULOU), LEDGER)
    await work(sessions, elder)


async def work(sessions: Sessions, elder: str) -> None:
    """In 古城社区: a visit in October and one in November, a service, an activity of 30;
    in 古楼: a visit missed in November."""
    person = uuid.UUID(elder)
    visits = [VisitRecorded(visit_id=uuid.uuid4(), person_id=person, visited_on=day,
                            visitor_kind=VisitorKind.VOLUNTEER, services=[ServiceKind.HOME_VISIT])
              for day in (date(2026, 10, 30), date(2026, 11, 5))]  # fmt: skip
    service = ServiceRecorded(service_id=uuid.uuid4(), person_id=person,
                              kind=ServiceKind.DAILY_CARE, served_on=date(2026, 11, 6))  # fmt: skip
    activity = ActivityHeld(activity_id=uuid.uuid4(), region_code=FENGHUANG, title="重阳节茶话会",
                            kind=ActivityKind.COMMUNITY_EVENT, held_on=date(2026, 11, 15),
                            participants=30, volunteers=4)  # fmt: skip
    missed = VisitOverdue(person_id=uuid.uuid4(), due_on=date(2026, 11, 10), interval_days=7,
                          detected_on=date(2026, 11, 11),
                          notified_level="volunteer_team")  # fmt: skip
    for payload, region, subject in (
        (visits[0], GUCHENG, elder), (visits[1], GUCHENG, elder), (service, GUCHENG, elder),
        (activity, FENGHUANG, FENGHUANG), (missed, GULOU + "001", str(missed.person_id)),
    ):  # fmt: skip
        event = new_event(payload, subject=subject, region_code=region, producer=LEDGER)
        await apply_consumed(UnitOfWork(sessions), event, LEDGER)
    await cases(sessions, person)


async def cases(sessions: Sessions, person: uuid.UUID) -> None:
    """古城: a case opened in October and closed in November; 古楼: one opened in November."""
    elderly, poverty = uuid.uuid4(), uuid.uuid4()
    for day, payload, region in (
        (date(2026, 10, 20), CaseOpened(case_id=elderly, person_id=person,
                                        kind=CaseKind.ELDERLY_CARE, risk_level=CaseRisk.HIGH,
                                        social_worker="w1"), GUCHENG),
        (date(2026, 11, 25), CaseClosed(case_id=elderly, person_id=person,
                                        from_stage=Stage.EVALUATION,
                                        reason=ClosingReason.GOALS_MET), GUCHENG),
        (date(2026, 11, 3), CaseOpened(case_id=poverty, person_id=uuid.uuid4(),
                                       kind=CaseKind.POVERTY_RELIEF, risk_level=CaseRisk.LOW,
                                       social_worker="w2"), GULOU + "001"),
    ):  # fmt: skip
        event = new_event(payload, subject=str(person), region_code=region, producer=LEDGER)
        event.occurred_at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
        await apply_consumed(UnitOfWork(sessions), event, LEDGER)


def summary(row: Any) -> tuple[Any, ...]:
    return (row.region_code, row.region_name, row.people, row.newly_filed,
            row.people_by_category, row.visits_done, row.visits_overdue, row.activities,
            row.service_times, row.cases_opened, row.cases_closed)  # fmt: skip


async def test_figures_by_station_and_district(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    await fixture(sessions)
    async with sessions() as session:
        stations, total = await figures(session, "420704", "station", NOVEMBER)
        districts, city = await figures(session, "420700", "district", NOVEMBER)
        villages, _ = await figures(session, FENGHUANG, "village", NOVEMBER)
        with pytest.raises(Invalid, match="finer level"):
            await figures(session, FENGHUANG, "district", NOVEMBER)

    # Counted by hand: 古楼 keeps the one who died in December, the survivor of the
    # merge (not the merged file) and not the child registered in December.
    assert [summary(row) for row in stations] == [
        (FENGHUANG, "凤凰街道", 3, 2,
         {"elderly": 2, "children": 1, "assistance": 1, "disabled": 1}, 1, 0, 1, 32, 0, 1),
        (GULOU, "古楼街道", 2, 0, {"homeless": 1, "elderly": 1}, 0, 1, 0, 0, 1, 0),
    ]  # fmt: skip
    everyone = {"elderly": 3, "children": 1, "assistance": 1, "disabled": 1, "homeless": 1}
    assert summary(total)[2:] == (5, 2, everyone, 1, 1, 1, 32, 1, 1)
    assert [(row.region_code, row.region_name, row.people) for row in districts] == [
        ("420702", "梁子湖区", 1), ("420704", "鄂城区", 5),
    ]  # fmt: skip
    assert (city.region_name, city.people, city.newly_filed) == ("鄂州市", 6, 3)
    assert city.people_by_category["mental_health"] == 1
    # The station's own activity has no village: it is a row of the station's code.
    assert [(row.region_code, row.people, row.activities) for row in villages] == [
        (FENGHUANG, 0, 1), (GUCHENG, 2, 0), (FENGHUANG + "004", 1, 0),
    ]  # fmt: skip

    # The two files merged in November were one person in October too.
    async with sessions() as session:
        _, october = await figures(session, "420700", "district", Period.month(2026, 10))
    assert (october.people, october.newly_filed) == (4, 4)
    assert (october.visits_done, october.service_times, october.activities) == (1, 1, 0)
    assert (october.cases_opened, october.cases_closed) == (1, 0)


async def test_the_monthly_dispatch_workbook(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    await fixture(sessions)
    async with sessions() as session:
        rows, total = await figures(session, "420704", "station", NOVEMBER)
    sheet = load_workbook(BytesIO(dispatch_workbook("鄂城区", NOVEMBER, rows, total))).active
    assert sheet is not None
    assert sheet["A1"].value == "鄂城区社会工作服务站（五社联动）工作月调度表"
    assert sheet["A2"].value == "统计期间：2026年11月1日至2026年11月30日"
    assert [sheet.cell(3, c).value for c in (1, 2, 3)] == ["序号", "地区", "在册服务对象（人）"]
    headings = [sheet.cell(4, c).value for c in range(3, 10)]
    assert headings == ["合计", "老年人", "儿童", "残疾人", "严重精神障碍患者", "流浪乞讨人员",
                        "低保、特困人员"]  # fmt: skip
    body = [[sheet.cell(r, c).value for c in range(1, 17)] for r in (5, 6, 7)]
    assert body == [
        [1, "凤凰街道", 3, 2, 1, 1, 0, 0, 1, 2, 1, 0, 0, 1, 1, 32],
        [2, "古楼街道", 2, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0],
        [None, "合计", 5, 3, 1, 1, 0, 1, 1, 2, 1, 1, 1, 1, 1, 32],
    ]  # fmt: skip
    assert any("25日前" in str(cell.value) for row in sheet.iter_rows() for cell in row)
