"""The reports through the ledger's API: figures as JSON, the monthly dispatch workbook
as a download, both within the caller's region, and a clear refusal of a wrong period."""

from datetime import date
from io import BytesIO

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
