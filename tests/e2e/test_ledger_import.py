"""A station's ledger of 1,000 people, some rows wrong, imported through intake's API:
good rows registered, bad rows returned with their reasons, a second import creates
nothing, and no personal data reaches the topics."""

import asyncio
import io
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from support.ledger_generator import HEADERS, LedgerGenerator, write_xlsx
from support.running_stack import RunningStack, count_rows, wait_for
from wushe.cli.topic_reader import read_topic

ROWS = 1000


def upload(stack: RunningStack, path: Path, status: str = "done") -> dict[str, Any]:
    """Uploads the file, follows the job until it ends and checks how it ended."""
    with path.open("rb") as handle:
        response = stack.request("POST", "intake", "/imports", files={"file": (path.name, handle)})
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/imports/{job['job_id']}"

    def ended() -> bool:
        nonlocal job
        job = stack.get("intake", f"/imports/{job['job_id']}").json()
        return job["status"] != "running"

    wait_for(ended, timeout=60, what=lambda: f"import job to end: {job}")
    assert job["status"] == status, job
    return job


def test_a_ledger_with_mistakes_imports_once(intake_alone: RunningStack, tmp_path: Path) -> None:
    generator = LedgerGenerator(seed=7 if intake_alone.backend == "sqlite" else 8)
    rows, spoiled = [], {}
    for number, row in enumerate(generator.rows(ROWS), start=3):  # a title row, then headers
        if number % 10 == 0:
            row, column = generator.spoil(row)
            spoiled[number] = column
        rows.append(row)
    rows.append(rows[4])  # the same person twice
    ledger = write_xlsx(tmp_path / "凤凰街道台账.xlsx", rows, title="凤凰街道服务对象台账")

    job = upload(intake_alone, ledger)
    good = ROWS - len(spoiled)
    assert (job["rows_total"], job["rows_read"]) == (ROWS + 1, ROWS + 1)
    assert (job["accepted"], job["already_present"], job["rejected"]) == (good, 0, len(spoiled) + 1)
    assert job["progress"] == 1.0 and job["trace_id"]

    refused = intake_alone.get("intake", job["rejected_rows_url"])
    assert refused.status_code == 200
    sheet = load_workbook(io.BytesIO(refused.content)).active
    assert sheet is not None
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0]) == [*HEADERS, "错误原因 / error"]
    reasons = [str(line[-1]) for line in lines[1:]]
    assert len(reasons) == len(spoiled) + 1
    for (number, column), reason in zip(spoiled.items(), reasons, strict=False):
        assert f"row {number}" in reason and column in reason, reason
    assert "the same person as row 7" in reasons[-1]

    # Once the job ends, only the refused rows stay on disk, sealed.
    imports = intake_alone.data_dir / "imports"

    def files_of_job() -> list[str]:
        return sorted(path.name for path in imports.iterdir() if job["job_id"] in path.name)

    wait_for(lambda: files_of_job() == [f"{job['job_id']}-rejected.xlsx.sealed"], what=files_of_job)
    sealed = (imports / f"{job['job_id']}-rejected.xlsx.sealed").read_bytes()
    assert b"PK\x03\x04" not in sealed and b"[Content_Types]" not in sealed
    assert intake_alone.get("intake", job["rejected_rows_url"]).content == refused.content

    sample = rows[0]
    found = intake_alone.get("intake", f"/persons?name={sample[0]}&id_number={sample[1]}").json()
    assert found["total"] == 1
    person = found["items"][0]
    assert person["residence_region"] == sample[HEADERS.index("现居住地区划代码")]
    history = intake_alone.get("intake", f"/persons/{person['person_id']}/history").json()
    assert history[0]["detail"] == {"import_job": job["job_id"]}

    again = upload(intake_alone, ledger)
    assert (again["accepted"], again["already_present"], again["rejected"]) == (
        0, good, len(spoiled) + 1
    )  # fmt: skip
    url = intake_alone.database_urls["intake"]
    history_of_job = "SELECT COUNT(*) FROM person_changes WHERE CAST(detail AS TEXT) LIKE :job"
    imported = count_rows(url, history_of_job, job=f"%{job['job_id']}%")
    assert imported == good

    def all_published() -> list[Any] | None:
        topic = intake_alone.topic("intake.person")
        records = asyncio.run(read_topic(intake_alone.bootstrap, topic))
        registered = sum(b'"type":"person.registered"' in record.value for record in records)
        return records if registered >= good else None

    records = wait_for(all_published, timeout=30, what="every person.registered published")
    published = b"".join(record.value for record in records)
    for row in rows[:50]:
        for secret in filter(None, (row[0], row[1], row[4], row[5])):
            assert json.dumps(secret)[1:-1].encode() not in published, f"{secret} was published"


def test_templates_explain_every_column(intake_alone: RunningStack, tmp_path: Path) -> None:
    response = intake_alone.get("intake", "/imports/templates/child")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in workbook["台账"][1]]
    assert headers[:2] == ["*姓名", "身份证号"] and "监护人姓名" in headers
    assert "残疾等级" not in headers
    notes = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert "监护人电话" in notes
    template = tmp_path / "template.xlsx"
    template.write_bytes(response.content)
    job = upload(intake_alone, template)
    assert job["rejected"] == 0 and job["accepted"] + job["already_present"] == 1
    assert intake_alone.get("intake", "/imports/templates/astronauts").status_code == 404


def test_what_cannot_be_imported_says_why(intake_alone: RunningStack, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("姓名,身份证号\n")
    with notes.open("rb") as handle:
        refused = intake_alone.request("POST", "intake", "/imports",
                                        files={"file": (notes.name, handle)})  # fmt: skip
    assert refused.status_code == 422 and "xlsx" in refused.text
    headless = tmp_path / "headless.csv"
    headless.write_text("张三,13800138000\n李四,13900139000\n", encoding="utf-8")
    job = upload(intake_alone, headless, "failed")
    assert "no header row" in job["error"]
    partial = tmp_path / "partial.csv"
    partial.write_text("姓名,联系电话\n张三,13800138000\n", encoding="gb18030")
    job = upload(intake_alone, partial, "failed")
    assert "现居住地区划代码" in job["error"] and "人员类别" in job["error"]
