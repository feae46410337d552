"""Registrations offered to intake at a fixed rate, through its bulk path (small .csv
ledgers on `POST /imports`) or its API (`POST /persons`), open loop: sent when due,
whatever the replies, but held back while the pipeline already holds `backlog_cap`
registrations it has not delivered (and, for the API, while `in_flight` requests are
unanswered), so that a load beyond capacity leaves a backlog that drains in seconds.
What was held back is counted: the rate actually offered is reported beside the target.
"""

import asyncio
import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from support.ledger_generator import HEADERS, LedgerGenerator

# One ledger every half second: at 500 a second, files of 250 rows; at higher rates
# ledgers of FILE_ROWS, more often.
FILE_SECONDS = 0.5
FILE_ROWS = 500


@dataclass
class Offered:
    """What a step sent: registrations intake took, over how long, and what it refused
    or the bench held back."""

    sent: int = 0
    seconds: float = 0.0
    held_back: int = 0  # due but not sent: the backlog or the requests in flight were full
    failed: int = 0  # refused by intake (HTTP errors, rejected or known rows)
    import_jobs: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


class Registrations:
    """Fresh people for every step, with valid ID numbers of real counties: one generator
    for the whole run, so that no ID number repeats between steps or paths."""

    def __init__(self) -> None:
        self.generator = LedgerGenerator(seed=time.time_ns() % 2**32)

    def ledger(self, rows: int) -> bytes:
        """A .csv ledger as the generator writes them: a title line, the headers, rows."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["凤凰街道服务对象台账"])
        writer.writerow(HEADERS)
        writer.writerows(self.generator.rows(rows))
        return buffer.getvalue().encode("utf-8-sig")

    def person(self) -> dict[str, Any]:
        """A registration as a clerk enters it on the API: an elderly person living alone."""
        generator = self.generator
        village = generator.random.choice(generator.villages)
        birth, female = generator.birth_date(61, 95), generator.random.random() < 0.5
        id_number = generator.id_number(village[:6], birth, female)
        return {
            "full_name": generator.name(), "id_number": id_number,
            "phone": f"13{generator.random.randint(0, 999999999):09d}",
            "address": f"滨湖南路{generator.random.randint(1, 300)}号",
            "residence_region": village, "household_region": village[:6],
            "groups": ["elderly_living_alone"],
        }  # fmt: skip


@dataclass
class Intake:
    url: str
    headers: dict[str, str]
    session: aiohttp.ClientSession


async def offer_bulk(
    intake: Intake,
    people: Registrations,
    rate: float,
    seconds: float,
    outstanding: Callable[[int], int],
    backlog_cap: int,
) -> Offered:
    """A ledger of ``rate * FILE_SECONDS`` rows (at most FILE_ROWS) at ``rate``;
    ``outstanding(sent)`` is how many sent registrations have not arrived yet."""
    offered = Offered()
    rows = max(1, min(FILE_ROWS, round(rate * FILE_SECONDS)))
    interval = rows / rate
    started = time.perf_counter()
    posts: list[asyncio.Task[None]] = []

    async def post(content: bytes, count: int) -> None:
        form = aiohttp.FormData()
        form.add_field("file", content, filename="台账.csv", content_type="text/csv")
        async with intake.session.post(
            intake.url + "/imports", data=form, headers=intake.headers
        ) as response:
            if response.status != 202:
                offered.failed += count
                return
            offered.import_jobs.append((await response.json())["job_id"])

    tick = 0
    while (due := started + tick * interval) < started + seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tick += 1
        if outstanding(offered.sent) + rows > backlog_cap:
            offered.held_back += rows
            continue
        content = people.ledger(rows)
        offered.sent += rows
        posts.append(asyncio.create_task(post(content, rows)))
    offered.seconds = max(seconds, time.perf_counter() - started)
    await asyncio.gather(*posts)
    return offered


async def offer_http(
    intake: Intake,
    people: Registrations,
    rate: float,
    seconds: float,
    outstanding: Callable[[int], int],
    backlog_cap: int,
    in_flight: int,
) -> Offered:
    """One `POST /persons` every 1/rate seconds, each in its own task."""
    offered = Offered()
    started = time.perf_counter()
    pending: set[asyncio.Task[None]] = set()
    accepted = 0

    async def post(body: dict[str, Any]) -> None:
        nonlocal accepted
        try:
            async with intake.session.post(
                intake.url + "/persons", json=body, headers=intake.headers
            ) as response:
                await response.read()
                if response.status == 201:
                    accepted += 1
                else:
                    offered.failed += 1
        except aiohttp.ClientError:
            offered.failed += 1

    index = 0
    while (due := started + index / rate) < started + seconds:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        index += 1
        if len(pending) >= in_flight or outstanding(offered.sent) >= backlog_cap:
            offered.held_back += 1
            continue
        offered.sent += 1
        task = asyncio.create_task(post(people.person()))
        pending.add(task)
        task.add_done_callback(pending.discard)
    offered.seconds = max(seconds, time.perf_counter() - started)
    await asyncio.gather(*pending)
    offered.sent = accepted
    return offered


async def import_outcome(intake: Intake, offered: Offered) -> None:
    """Counts the rows intake refused or found known in the step's finished jobs."""
    for job_id in offered.import_jobs:
        async with intake.session.get(
            f"{intake.url}/imports/{job_id}", headers=intake.headers
        ) as response:
            job = await response.json()
        refused = job["rejected"] + job["already_present"]
        offered.failed += refused
        offered.sent -= refused
