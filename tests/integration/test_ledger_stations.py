"""The township stations on SQLite and PostgreSQL: recorded one per township as the
ledger's own event, refused with the field to correct, read within the caller's region,
and counted in the reports as built, operating and covering their district's townships
at the period's end (鄂城区 has 15 townships in force), figures counted by hand."""

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from fastapi import HTTPException
from openpyxl import load_workbook
from sqlalchemy import func, select

from integration.conftest import MigratedDatabase, Sessions
from integration.in_process_api import serving
from wushe.ledger.adapters.dispatch_workbook import dispatch_workbook
from wushe.ledger.adapters.station_orm import StationRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.domain.report_figures import Period
from wushe.ledger.domain.stations import StationBody
from wushe.ledger.entrypoints.errors import add_error_handlers
from wushe.ledger.entrypoints.reports import router as reports_router
from wushe.ledger.entrypoints.stations import router as stations_router
from wushe.ledger.service_layer.reports import figures
from wushe.ledger.service_layer.stations import record_station, stations_within
from wushe.shared.auth import Caller, Role, mint_token
from wushe.shared.events import Producer
from wushe.shared.events.stations import StationStatus
from wushe.shared.messaging_tables import outbox
from wushe.shared.refusals import Invalid
from wushe.shared.unit_of_work import UnitOfWork

LEDGER = Producer(service="ledger", deployment="test")
DISTRICT = Caller(subject="district-1", role=Role.STATION_STAFF, region="420704")
FENGHUANG, GULOU, XISHAN, ZELIN = "420704001", "420704002", "420704003", "420704100"
NOVEMBER = Period.month(2026, 11)


def facts(status: str, *dates: str, workers: int = 0) -> StationBody:
    named = dict(zip(("built_on", "operating_since", "suspended_on"), dates, strict=False))
    return StationBody(station_name="社会工作服务站", status=StationStatus(status),
                        social_workers=workers, **named)  # type: ignore[arg-type]  # fmt: skip


async def put(sessions: Sessions, region: str, station: StationBody,
              caller: Caller = DISTRICT) -> None:  # fmt: skip
    await record_station(UnitOfWork(sessions), LEDGER, caller, region, station)


async def test_stations_are_counted_built_operating_and_covering_at_the_period_end(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    await put(sessions, FENGHUANG, facts("operating", "2025-03-01", "2025-06-01", workers=4))
    await put(sessions, GULOU, facts("suspended", "2025-01-10", "2025-02-01", "2026-11-15"))
    await put(sessions, XISHAN, facts("built", "2026-11-20"))
    await put(sessions, ZELIN, facts("planned"))
    # Recorded again: the township keeps one station, as last recorded.
    await put(sessions, FENGHUANG, facts("operating", "2025-03-01", "2025-06-01", workers=5))

    async with sessions() as session:
        stations = await stations_within(session, "420704")
        assert [(s.region_code, s.status, s.social_workers) for s in stations] == [
            (FENGHUANG, "operating", 5), (GULOU, "suspended", 0),
            (XISHAN, "built", 0), (ZELIN, "planned", 0),
        ]  # fmt: skip
        assert [
            s.region_code for s in await stations_within(session, "420704", StationStatus.PLANNED)
        ] == [ZELIN]
        recorded = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.event_type == "station.recorded")
        )
        assert recorded == 5
        by_station, district = await figures(session, "420704", "station", NOVEMBER)
        _, city = await figures(session, "420700", "district", NOVEMBER)
        _, october = await figures(session, "420704", "district", Period.month(2026, 10))

    # At November's end: 凤凰 built and operating; 古楼 built, suspended on the 15th;
    # 西山 built on the 20th, not yet operating; 泽林 planned.
    counted = {row.region_code: (row.townships, row.stations_built, row.stations_operating)
               for row in by_station}  # fmt: skip
    assert counted == {FENGHUANG: (1, 1, 1), GULOU: (1, 1, 0), XISHAN: (1, 1, 0), ZELIN: (1, 0, 0)}
    assert (district.townships, district.stations_built, district.stations_operating) == (15, 3, 1)
    assert district.station_coverage_percent == 6.7  # 1 of 15
    assert (october.stations_built, october.stations_operating) == (2, 2)
    assert october.station_coverage_percent == 13.3  # 2 of 15: 古楼 still ran in October
    assert (city.stations_built, city.stations_operating) == (3, 1)
    assert city.townships > district.townships  # 鄂州市's other districts: no station yet

    workbook = dispatch_workbook("鄂城区", NOVEMBER, by_station, district)
    sheet = load_workbook(BytesIO(workbook)).active
    assert sheet is not None
    assert [sheet.cell(3, 21).value, *(sheet.cell(4, c).value for c in (21, 22, 23))] == [
        "社工站（个）", "建成", "运营", "覆盖率",
    ]  # fmt: skip
    total_row = 5 + len(by_station)
    assert [sheet.cell(total_row, c).value for c in (2, 21, 22, 23)] == ["合计", 3, 1, "6.7%"]


@pytest.mark.parametrize(
    ("region", "station", "field"),
    [
        ("420704", facts("planned"), "region_code"),  # a district, not a township
        ("420704001003", facts("planned"), "region_code"),  # a village
        ("420704999", facts("planned"), "region_code"),  # no such township
        (FENGHUANG, facts("operating", "2025-03-01"), "operating_since"),
        (FENGHUANG, facts("built", "2025-03-01", "2025-04-01"), "operating_since"),
        (FENGHUANG, facts("operating", "2025-03-01", "2025-02-01"), "operating_since"),
        (
            FENGHUANG,
            StationBody(station_name="站", status=StationStatus.PLANNED, built_on=date(2025, 1, 1)),
            "built_on",
        ),
        (FENGHUANG, facts("built", (date.today() + timedelta(days=3)).isoformat()), "built_on"),
    ],
)
async def test_a_station_that_does_not_fit_is_refused_naming_the_field(
    migrated_database: MigratedDatabase, region: str, station: StationBody, field: str
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    with pytest.raises(Invalid) as refused:
        await put(sessions, region, station)
    assert refused.value.field == field
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(StationRecord)) == 0
        assert await session.scalar(select(func.count()).select_from(outbox)) == 0


async def test_a_station_outside_the_callers_region_is_refused(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    elsewhere = Caller(subject="s-9", role=Role.STATION_STAFF, region="420703")
    with pytest.raises(HTTPException) as refused:
        await put(sessions, FENGHUANG, facts("planned"), caller=elsewhere)
    assert refused.value.status_code == 403 and "420703" in str(refused.value.detail)


async def test_stations_over_http(migrated_database: MigratedDatabase, tmp_path: Path) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    routers = (stations_router, reports_router)
    served = serving("ledger", MIGRATIONS, sessions, routers, tmp_path, add_error_handlers)
    async with served as (client, runtime):

        def as_(role: Role, region: str = "420704") -> dict[str, str]:
            token = mint_token(runtime.settings, subject="staff-1", role=role, region=region)
            return {"Authorization": f"Bearer {token}"}

        staff = as_(Role.STATION_STAFF)
        body = {"station_name": "凤凰街道社会工作服务站", "status": "operating",
                "built_on": "2025-03-01", "operating_since": "2025-06-01",
                "social_workers": 4}  # fmt: skip
        put = await client.put(f"/stations/{FENGHUANG}", json=body, headers=staff)
        assert put.status_code == 200, put.text
        station = put.json()["station"]
        assert (station["operating"], station["built"], station["recorded_by"]) == (
            True, True, "staff-1",
        )  # fmt: skip
        missing = await client.put(f"/stations/{GULOU}", json={**body, "operating_since": None},
                                   headers=staff)  # fmt: skip
        assert missing.status_code == 422 and missing.json()["detail"]["field"] == "operating_since"
        volunteer = await client.put(f"/stations/{GULOU}", json=body, headers=as_(Role.VOLUNTEER))
        assert volunteer.status_code == 403
        listed = await client.get("/stations", headers=as_(Role.AUDITOR, "420700"))
        assert [s["region_code"] for s in listed.json()] == [FENGHUANG]
        assert (await client.get("/stations", headers=as_(Role.AUDITOR, "420703"))).json() == []
        query = {"region": "420704", "by": "district", "month": "2026-11"}
        report = await client.get("/reports/figures", headers=staff, params=query)
        assert report.status_code == 200, report.text
        total = report.json()["total"]
        assert (total["townships"], total["stations_operating"]) == (15, 1)
        assert total["station_coverage_percent"] == 6.7
