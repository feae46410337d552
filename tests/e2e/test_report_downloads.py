"""The reports through the ledger's API: figures as JSON, the monthly dispatch workbook
as a download, both within the caller's region, and a clear refusal of a wrong period;
money given to charity and a township's station reach them through the broker."""

from datetime import date, timedelta
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from support.running_stack import RunningStack, wait_for
from wushe.shared.auth import Role


def test_figures_and_monthly_dispatch(running_stack: RunningStack) -> None:
    person = running_stack.post("intake", "/persons", {
        "full_name": "郑小军", "residence_region": "420703100001", "household_region": "420703",
        "groups": ["child_left_behind"], "birth_date": "2016-05-04", "sex": "male"})  # fmt: skip
    wait_for(lambda: running_stack.found("ledger", f"/files/{person['person_id']}"), timeout=30)
    month = f"{date.today():%Y-%m}"

    report = running_stack.get("ledger", f"/reports/figures?region=420703&by=station&month={month}")
    assert report.status_code == 200, report.text
    figures = report.json()
    assert figures["total"]["people_by_category"]["children"] >= 1
    assert figures["total"]["newly_filed"] >= 1
    assert all(row["region_code"].startswith("420703") for row in figures["rows"])

    workbook = running_stack.get("ledger", f"/reports/monthly-dispatch?region=420703&month={month}")
    assert workbook.status_code == 200
    assert "attachment" in workbook.headers["content-disposition"]
    sheet = load_workbook(BytesIO(workbook.content)).active
    assert sheet is not None and sheet["A1"].value == "华容区社会工作服务站（五社联动）工作月调度表"

    wrong = running_stack.get("ledger", "/reports/figures?month=2026-13")
    assert wrong.status_code == 422 and "month" in wrong.text
    backwards = running_stack.get("ledger", "/reports/figures?start=2026-11-30&end=2026-11-01")
    assert backwards.status_code == 422 and backwards.json()["detail"]["field"] == "end"
    elsewhere = running_stack.token(Role.STATION_STAFF, region="420704")
    path = f"/reports/figures?region=420703&month={month}"
    outside = running_stack.request("GET", "ledger", path, headers=running_stack.headers(elsewhere))
    assert outside.status_code == 403


def test_charity_money_and_stations_reach_the_figures(running_stack: RunningStack) -> None:
    today = date.today()
    # China's day, in which the ledger counts a donation, lies within the days around today.
    days = f"start={today - timedelta(days=1)}&end={today + timedelta(days=1)}"
    path = f"/reports/figures?region=420703&by=district&{days}"

    def total() -> dict[str, Any]:
        report = running_stack.get("ledger", path)
        assert report.status_code == 200, report.text
        figures: dict[str, Any] = report.json()["total"]
        return figures

    before = total()
    fund = running_stack.post("charity", "/funds", {
        "name": "华容区社区慈善基金", "code": f"HR-{running_stack.backend.upper()}",
        "region_code": "420703"})  # fmt: skip
    running_stack.post("charity", f"/funds/{fund['fund_id']}/donations",
                       {"amount_fen": 20_050, "channel": "cash", "donor_name": "王五"})  # fmt: skip
    station = {"station_name": "华容街道社会工作服务站", "status": "operating",
               "built_on": "2025-03-01", "operating_since": "2025-06-01"}  # fmt: skip
    recorded = running_stack.request("PUT", "ledger", "/stations/420703100", json=station)
    assert recorded.status_code == 200, recorded.text

    def counted() -> dict[str, Any] | None:
        now = total()
        return now if now["raised_fen"] != before["raised_fen"] else None

    after = wait_for(counted, timeout=30, what="the donation in the ledger's figures")
    assert after["raised_fen"] == before["raised_fen"] + 20_050
    assert after["donations"] == before["donations"] + 1
    assert after["stations_operating"] >= 1 and after["townships"] > 1
    assert after["station_coverage_percent"] is not None
