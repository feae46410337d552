"""Reports: the figures by region and period, and the monthly dispatch workbook."""

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from wushe.ledger.adapters.dispatch_workbook import dispatch_workbook
from wushe.ledger.domain.report_figures import CATEGORIES, Level, Period, RegionFigures
from wushe.ledger.service_layer.reports import figures, short_name
from wushe.shared.auth import CurrentCaller, require_region
from wushe.shared.http import RuntimeDep
from wushe.shared.refusals import Invalid
from wushe.shared.regions import RecordedRegionCode

router = APIRouter(prefix="/reports", tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MonthParam = Annotated[
    str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="A month: 2026-11")
]


class FiguresRow(BaseModel):
    region_code: str
    region_name: str
    people: int = Field(description="On the ledgers at the period's end (merged files excluded)")
    people_by_category: dict[str, int] = Field(
        description="Per category (" + ", ".join(c.key for c in CATEGORIES) + "); "
        "a person in several groups of one category counts once"
    )
    newly_filed: int
    visits_done: int
    visits_overdue: int
    cases_opened: int
    cases_closed: int
    activities: int
    service_times: int = Field(description="服务人次: individual services and visits, plus "
                               "the participants of group activities")  # fmt: skip
    donations: int = Field(description="Donations received in the period, less those refunded")
    raised_fen: int = Field(description="Money raised in fen (分): donations less refunds")
    disbursed_fen: int = Field(description="Money disbursed from funds, in fen")
    goods_received_fen: int = Field(description="Goods received into stations' stock, valued")
    goods_given_fen: int = Field(description="Goods given out, at the stock's average value")
    townships: int = Field(
        description="Townships in force inside the region (none at the village level)"
    )
    stations_built: int = Field(description="Township stations built by the period's end")
    stations_operating: int = Field(description="Township stations operating at its end")
    station_coverage_percent: float | None = Field(
        description="覆盖率: townships with an operating station, of all its townships"
    )

    @classmethod
    def of(cls, row: RegionFigures) -> "FiguresRow":
        return cls.model_validate(row, from_attributes=True)


class FiguresReport(BaseModel):
    region: str
    by: Level
    start: date
    end: date
    rows: list[FiguresRow]
    total: FiguresRow


def period_of(month: str | None, start: date | None, end: date | None) -> Period:
    if month is not None:
        if start is not None or end is not None:
            raise Invalid("give either month or start and end, not both", field="month")
        year, number = month.split("-")
        return Period.month(int(year), int(number))
    if start is None or end is None:
        raise Invalid("give a month (2026-11), or both start and end", field="start")
    if end < start:
        raise Invalid(f"end {end} is before start {start}", field="end")
    return Period(start, end)


@router.get("/figures", response_model=FiguresReport)
async def report_figures(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    region: RecordedRegionCode | None = Query(None, description="Default: the caller's region"),
    by: Level = Query("district", description="One row per region at this level"),
    month: MonthParam = None,
    start: date | None = None,
    end: date | None = None,
) -> FiguresReport:
    """The figures every report asks for, for a region and period, one row per region
    at the chosen level (city, district, station (township) or village) and the total."""
    region = region or caller.region
    require_region(caller, region, field="region")
    period = period_of(month, start, end)
    async with runtime.snapshot() as session:
        rows, total = await figures(session, region, by, period)
    return FiguresReport(
        region=region, by=by, start=period.start, end=period.end,
        rows=[FiguresRow.of(row) for row in rows], total=FiguresRow.of(total),
    )  # fmt: skip


@router.get(
    "/monthly-dispatch",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "月调度表 (.xlsx)"}},
)
async def monthly_dispatch(
    caller: CurrentCaller,
    runtime: RuntimeDep,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])],
    region: RecordedRegionCode | None = Query(None, description="Default: the caller's region"),
    by: Level = Query("station", description="One row per region at this level"),
) -> Response:
    """The monthly dispatch report (月调度表) as an .xlsx, one row per region at ``by``."""
    region = region or caller.region
    require_region(caller, region, field="region")
    period = period_of(month, None, None)
    async with runtime.snapshot() as session:
        rows, total = await figures(session, region, by, period)
    name = short_name(region)
    content = dispatch_workbook(name, period, rows, total)
    filename = quote(f"{name}{period.start:%Y年%m月}月调度表.xlsx")
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
    )
