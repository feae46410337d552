"""`wushe import`: send a station ledger to intake, follow the job with a progress bar,
and fetch the refused rows for correction."""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

POLL_SECONDS = 0.5
FINISHED = ("done", "failed", "interrupted")


@dataclass
class ImportOutcome:
    job: dict[str, Any]
    rejected_file: Path | None


def import_ledger(path: Path, url: str, token: str, console: Console) -> ImportOutcome:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        with path.open("rb") as handle:
            response = client.post("/imports", files={"file": (path.name, handle)})
        if response.status_code != 202:
            raise RuntimeError(f"intake refused the file ({response.status_code}): {response.text}")
        job = _follow(client, response.json(), console)
        rejected_file = None
        if job.get("rejected_rows_url"):
            rejected_file = path.with_name(f"{path.stem}-未导入.xlsx")
            download = client.get(str(job["rejected_rows_url"]))
            download.raise_for_status()
            rejected_file.write_bytes(download.content)
    return ImportOutcome(job, rejected_file)


def _follow(client: httpx.Client, job: dict[str, Any], console: Console) -> dict[str, Any]:
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("accepted {task.fields[accepted]}, already present "
                          "{task.fields[present]}, rejected {task.fields[rejected]}"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(
            str(job["file_name"]), total=None, accepted=0, present=0, rejected=0
        )
        while True:
            progress.update(
                task, total=job["rows_total"], completed=job["rows_read"],
                accepted=job["accepted"], present=job["already_present"], rejected=job["rejected"],
            )  # fmt: skip
            if job["status"] in FINISHED:
                return job
            time.sleep(POLL_SECONDS)
            response = client.get(f"/imports/{job['job_id']}")
            response.raise_for_status()
            job = response.json()
