"""Charity's donations recorded per second, sustained, through the API and through events,
and the time to reconcile 1,000,000 journal entries.

Starts the broker (embedded unless KAFKA_BOOTSTRAP_SERVERS is set) and charity alone, on
SQLite in a temporary folder, or on CHARITY_DATABASE_URL / DATABASE_URL when set (a
scratch database: the run adds its donations and a million entries to it). Then:

1. API: concurrent clients post donations (named, anonymous, earmarked for a project)
   to a community fund (or spread over --funds funds) for --seconds;
2. events: an online platform's `online_donation.submitted` on charity.online_donation,
   a backlog sized for at least --seconds (or of --backlog events), timed until every one
   is recorded;
3. reconcile: charity stopped, --entries journal entries (donations and the
   disbursements that paid them out, two lines each, with their donation rows) bulk
   inserted over 100 funds, then `reconcile` timed.

    .venv/bin/python bench/charity_donations.py
    .venv/bin/python bench/charity_donations.py --seconds 30 --concurrency 16 --entries 1000000
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from uuid_utils.compat import uuid7

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from figures import Figure, record
from one_service import cpu_seconds, percentile

from support.infrastructure import free_port, kafka_bootstrap
from wushe.charity.adapters.accounts_orm import (
    AccountRecord,
    JournalEntryRecord,
    JournalLineRecord,
)
from wushe.charity.adapters.orm import DonationRecord
from wushe.charity.bootstrap import MIGRATIONS
from wushe.charity.domain.accounts import DISBURSED_TO_PROJECT, UNRESTRICTED, donations_code
from wushe.charity.domain.donation import Channel
from wushe.charity.domain.funds import FundOpening
from wushe.charity.service_layer.funds import open_fund
from wushe.charity.service_layer.reconcile import reconcile
from wushe.cli.stack import Stack
from wushe.shared.auth import Role, mint_token
from wushe.shared.bulk_insert import bulk_insert, execute_many
from wushe.shared.db import create_engine, session_factory
from wushe.shared.events import Producer, new_event, topics
from wushe.shared.events.charity import OnlineDonationSubmitted
from wushe.shared.kafka import ensure_topics
from wushe.shared.migrations import upgrade_to_head
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

REGION = "420704"
RECONCILE_FUNDS = 100
CHUNK = 20_000
STALL_SECONDS = 60.0


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def a_donation(number: int) -> dict[str, Any]:
    """Mostly small named gifts in cash or by transfer; some anonymous, some earmarked."""
    pick = random.Random(number)
    body: dict[str, Any] = {
        "amount_fen": pick.choice((1_000, 2_000, 5_000, 10_000, 20_000, 50_000)),
        "channel": pick.choice(("cash", "bank_transfer")),
    }
    if pick.random() < 0.25:
        body["anonymous"] = True
    else:
        body["donor_name"] = f"捐赠人{number}"
    if pick.random() < 0.1:
        body["restriction"] = {"kind": "project", "target": "xingfu-jiayuan-017"}
    return body


async def through_api(
    base_url: str, token: str, funds: list[str], seconds: float, concurrency: int
) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60,
                                 limits=limits) as client:  # fmt: skip

        async def client_loop() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                number = next(counter)
                response = await client.post(f"/funds/{funds[number % len(funds)]}/donations",
                                             json=a_donation(number))  # fmt: skip
                if response.status_code == 201:
                    latencies.append(time.perf_counter() - started)
                else:
                    failures += 1
                    if failures <= 3:
                        progress(f"refused: {response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(client_loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "api_donations": len(latencies),
        "api_failures": failures,
        "api_seconds": round(elapsed, 1),
        "api_concurrency": concurrency,
        "api_donations_per_second": round(len(latencies) / elapsed, 1),
        "api_latency_ms_p50": round(statistics.median(latencies) * 1000, 1),
        "api_latency_ms_p99": round(percentile(latencies, 0.99) * 1000, 1),
    }


async def online_count(sessions: async_sessionmaker[AsyncSession], funds: list[str]) -> int:
    async with sessions() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(DonationRecord)
            .where(DonationRecord.fund_id.in_(funds),
                   DonationRecord.channel == Channel.ONLINE_CAMPAIGN.value)
        )  # fmt: skip
    return int(found or 0)


async def through_events(
    bootstrap: str, topic: str, database_url: str, funds: list[str], count: int
) -> dict[str, Any]:
    """Publishes ``count`` platform donations and waits until charity recorded them all."""
    platform = Producer(service="tencent-gongyi", deployment="bench")
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    await ensure_topics(bootstrap, [topic], partitions=6)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, client_id="bench-platform",
                                linger_ms=20, max_batch_size=256 * 1024)  # fmt: skip
    await producer.start()
    started = time.perf_counter()
    try:
        deliveries = []
        for number in range(count):
            transaction = f"bench-{number:08d}"
            fund_id = funds[number % len(funds)]
            payload = OnlineDonationSubmitted(
                platform="tencent-gongyi", transaction_id=transaction, fund_id=UUID(fund_id),
                amount_fen=random.choice((500, 1_000, 9_900)),
            )  # fmt: skip
            event = new_event(payload, subject=fund_id, region_code=REGION, producer=platform)
            headers = [
                ("content-type", b"application/json"),
                ("event-type", event.type.encode()),
                ("event-id", str(event.id).encode()),
            ]
            sent = await producer.send(
                topic, event.to_bytes(), key=transaction.encode(), headers=headers
            )
            deliveries.append(sent)
        await asyncio.gather(*deliveries)
    finally:
        await producer.stop()
    produced = time.perf_counter() - started
    progress(f"published {count:,} online donations in {produced:.1f} s")
    recorded, last_change, last_report = 0, time.perf_counter(), time.perf_counter()
    try:
        while recorded < count:
            await asyncio.sleep(0.5)
            now_recorded = await online_count(sessions, funds)
            now = time.perf_counter()
            if now_recorded != recorded:
                recorded, last_change = now_recorded, now
            elif now - last_change > STALL_SECONDS:
                raise RuntimeError(f"no donation recorded for {STALL_SECONDS:.0f} s: "
                                   f"{recorded:,} of {count:,}")  # fmt: skip
            if now - last_report > 5:
                progress(f"recorded {recorded:,} of {count:,} online donations")
                last_report = now
    finally:
        await engine.dispose()
    elapsed = time.perf_counter() - started
    return {
        "event_donations": count,
        "event_seconds": round(elapsed, 1),
        "event_donations_per_second": round(count / elapsed, 1),
    }


async def open_funds(sessions: async_sessionmaker[AsyncSession], count: int) -> list[str]:
    producer = Producer(service="charity", deployment="bench")
    funds = []
    for number in range(count):
        code = f"RC{number:04d}{random.randrange(99)}"
        opening = FundOpening(name=f"对账基金{number}", code=code, region_code=REGION)
        funds.append(str(await open_fund(UnitOfWork(sessions), opening, producer)))
    return funds


async def fill_journal(database_url: str, entries: int) -> dict[str, Any]:
    """``entries`` journal entries: each donation is followed by the disbursement that
    pays it out to a project, so that the books end balanced, holding nothing."""
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    driver = engine.url.drivername
    entry_sql = bulk_insert(JournalEntryRecord.__table__, ("id", "fund_id", "kind", "posted_at",
                            "posted_by", "reversal_of"), driver)  # fmt: skip
    line_sql = bulk_insert(JournalLineRecord.__table__, ("entry_id", "account_id", "amount_fen"),
                           driver)  # fmt: skip
    donation_columns = ("id", "fund_id", "amount_fen", "channel", "donor_id", "anonymous",
                        "receipt_number", "received_by", "received_at", "restriction_kind",
                        "restriction_target", "account_id", "entry_id", "unallocated_fen",
                        "status")  # fmt: skip
    donation_sql = bulk_insert(DonationRecord.__table__, donation_columns, driver)
    started = time.perf_counter()
    try:
        funds = await open_funds(sessions, RECONCILE_FUNDS)
        async with sessions() as session:
            rows = await session.execute(
                select(AccountRecord.fund_id, AccountRecord.code, AccountRecord.id).where(
                    AccountRecord.fund_id.in_(funds)
                )
            )
            accounts = {(fund, code): account for fund, code, account in rows}
        totals: dict[str, int] = {}
        moment = datetime.now(UTC) - timedelta(days=60)
        written = 0
        while written < entries:
            batch = min(CHUNK, entries - written)
            entry_rows, line_rows, donation_rows = [], [], []
            for number in range(written, written + batch):
                fund = funds[(number // 2) % len(funds)]
                amount = 1_000 + (number // 2) % 97 * 100
                holding = accounts[(fund, UNRESTRICTED)]
                entry_id = str(uuid7())
                posted = moment + timedelta(seconds=number)
                if number % 2 == 0:
                    other, kind = accounts[(fund, donations_code(Channel.CASH))], "donation"
                    donation_rows.append(donation_sql.parameters({
                        "id": str(uuid7()), "fund_id": fund, "amount_fen": amount,
                        "channel": "cash", "donor_id": None, "anonymous": True,
                        "receipt_number": f"B-{number:09d}", "received_by": "bench",
                        "received_at": posted, "restriction_kind": None,
                        "restriction_target": None, "account_id": holding,
                        "entry_id": entry_id, "unallocated_fen": 0, "status": "received",
                    }))  # fmt: skip
                    lines = ((holding, amount), (other, -amount))
                else:
                    other, kind = accounts[(fund, DISBURSED_TO_PROJECT)], "disbursement"
                    lines = ((holding, -amount), (other, amount))
                entry_rows.append(entry_sql.parameters({
                    "id": entry_id, "fund_id": fund, "kind": kind, "posted_at": posted,
                    "posted_by": "bench", "reversal_of": None,
                }))  # fmt: skip
                for account, line_amount in lines:
                    line_rows.append(line_sql.parameters(
                        {"entry_id": entry_id, "account_id": account, "amount_fen": line_amount}
                    ))  # fmt: skip
                    totals[account] = totals.get(account, 0) + line_amount
            async with sessions() as session:
                await execute_many(session, entry_sql.sql, entry_rows)
                await execute_many(session, line_sql.sql, line_rows)
                await execute_many(session, donation_sql.sql, donation_rows)
                await session.commit()
            written += batch
            if written % 200_000 < CHUNK:
                progress(f"inserted {written:,} of {entries:,} journal entries")
        async with sessions() as session:
            for account, total in totals.items():
                await session.execute(
                    update(AccountRecord).where(AccountRecord.id == account)
                    .values(balance_fen=AccountRecord.balance_fen + total)
                )  # fmt: skip
            await session.commit()
    finally:
        await engine.dispose()
    return {"entries_inserted": entries, "insert_seconds": round(time.perf_counter() - started, 1)}


async def time_reconcile(database_url: str) -> dict[str, Any]:
    engine = create_engine(database_url)
    steps: list[tuple[str, float]] = []
    try:
        started = time.perf_counter()
        found = await reconcile(
            session_factory(engine),
            lambda step, _done, _total: steps.append((step, time.perf_counter())),
        )
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {
        "reconcile_entries": found.entries,
        "reconcile_lines": found.journal_lines,
        "reconcile_seconds": round(seconds, 2),
        "reconcile_step_seconds": {
            step: round(ended - began, 2) for (step, began), (_, ended) in pairwise(steps)
        },
        "reconcile_differences": len(found.differences),
    }


def time_reconcile_command(database_url: str) -> float:
    """The same through `wushe charity reconcile`, process start included."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "wushe.cli.main", "charity", "reconcile",
               "--database-url", database_url]  # fmt: skip
    answer = subprocess.run(command, capture_output=True, text=True, check=False)
    if answer.returncode != 0:
        progress(answer.stdout[-2000:] + answer.stderr[-2000:])
    return round(time.perf_counter() - started, 1)


def start_charity(
    data_dir: str, database_url: str, bootstrap: str, prefix: str
) -> tuple[Stack, Settings]:
    settings = Settings(data_dir=Path(data_dir))
    stack = Stack(settings, ports={"charity": free_port()}, log_dir=Path(data_dir))
    stack.start_service("charity", {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "WUSHE_TOPIC_PREFIX": prefix,
        "CHARITY_DATABASE_URL": database_url, "WUSHE_DATA_DIR": data_dir,
        "WUSHE_LOG_LEVEL": "WARNING",
    })  # fmt: skip
    stack.wait_ready(("charity",), timeout=120)
    return stack, settings


def per_cpu_second(path: str, donations: int, before: float | None, pid: int) -> dict[str, Any]:
    """Donations per second of charity's own CPU time, which the machine's load does not
    change as much as it changes the rate."""
    after = cpu_seconds(pid)
    if before is None or after is None or after <= before:
        return {}
    spent = after - before
    return {
        f"{path}_charity_cpu_seconds": round(spent, 1),
        f"{path}_donations_per_charity_cpu_second": round(donations / spent, 1),
    }


def a_fund(base_url: str, admin: str) -> str:
    opening = {"name": "压测社区慈善基金", "code": f"BENCH{random.randrange(10**6)}",
               "region_code": REGION}  # fmt: skip
    answer = httpx.post(f"{base_url}/funds", json=opening, timeout=30,
                        headers={"Authorization": f"Bearer {admin}"})  # fmt: skip
    answer.raise_for_status()
    return str(answer.json()["fund_id"])


def as_figures(figures: dict[str, Any]) -> list[Figure]:
    """What the run measured, without targets: none is set for charity's figures."""
    database = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[figures["database"]]
    measured = [
        Figure("charity", f"donations through the API, {database}",
               figures["api_donations_per_second"], "donations/s",
               note=f"{figures['api_concurrency']} clients for {figures['api_seconds']} s; "
                    f"p50 {figures['api_latency_ms_p50']} ms, "
                    f"p99 {figures['api_latency_ms_p99']} ms; "
                    f"{per_cpu_second_note(figures, 'api')}"),
        Figure("charity", f"donations through events, {database}",
               figures["event_donations_per_second"], "donations/s",
               note=f"{figures['event_donations']:,} published at once; "
                    f"{per_cpu_second_note(figures, 'event')}"),
    ]  # fmt: skip
    if "reconcile_seconds" in figures:
        entries = f"{figures['reconcile_entries']:,} entries"
        measured += [
            Figure("charity", f"reconcile, {database}", figures["reconcile_seconds"], "s",
                   note=f"{entries}, {figures['reconcile_differences']} differences"),
            Figure("charity", f"wushe charity reconcile, {database}",
                   figures["reconcile_command_seconds"], "s",
                   note=f"{entries}, process start included"),
        ]  # fmt: skip
    return measured


def per_cpu_second_note(figures: dict[str, Any], path: str) -> str:
    rate = figures.get(f"{path}_donations_per_charity_cpu_second")
    return "charity's CPU time unknown here" if rate is None else f"{rate} per charity CPU-s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="at least, per path")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--funds", type=int, default=1, help="donations spread over this many funds"
    )
    parser.add_argument("--backlog", type=int, help="online donations published at once")
    parser.add_argument("--skip-reconcile", action="store_true")
    options = parser.parse_args()

    given = os.environ.get("CHARITY_DATABASE_URL") or os.environ.get("DATABASE_URL")
    figures: dict[str, Any] = {
        "database": "postgresql" if given else "sqlite",
        "funds": options.funds,
    }
    prefix = f"bench{time.time_ns()}."
    with kafka_bootstrap() as bootstrap, tempfile.TemporaryDirectory() as data_dir:
        database_url = given or f"sqlite+aiosqlite:///{data_dir}/charity.db"
        stack, settings = start_charity(data_dir, database_url, bootstrap, prefix)
        try:
            admin = mint_token(settings, subject="bench-admin", role=Role.ADMIN, region=REGION)
            clerk = mint_token(settings, subject="bench-clerk", role=Role.STATION_STAFF,
                               region=REGION)  # fmt: skip
            funds = [a_fund(stack.url("charity"), admin) for _ in range(options.funds)]
            progress(f"API: {options.concurrency} clients for {options.seconds:.0f} s")
            charity = stack.processes["charity"].pid
            cpu_before = cpu_seconds(charity)
            figures |= asyncio.run(through_api(stack.url("charity"), clerk, funds,
                                               options.seconds, options.concurrency))  # fmt: skip
            figures |= per_cpu_second("api", figures["api_donations"], cpu_before, charity)
            progress(json.dumps(figures))
            # Enough for the seconds asked even if events go three times as fast as the API.
            backlog = options.backlog or max(
                1_000, int(figures["api_donations_per_second"] * options.seconds * 3)
            )
            topic = f"{prefix}{topics.CHARITY_ONLINE_DONATION}"
            cpu_before = cpu_seconds(charity)
            figures |= asyncio.run(through_events(bootstrap, topic, database_url, funds,
                                                  backlog))  # fmt: skip
            figures |= per_cpu_second("event", backlog, cpu_before, charity)
            progress(json.dumps(figures))
        except Exception:
            log = Path(data_dir) / "charity.log"
            if log.exists():
                progress("\n".join(log.read_text(errors="replace").splitlines()[-30:]))
            raise
        finally:
            stack.stop_all()
        if not options.skip_reconcile:
            upgrade_to_head(MIGRATIONS, database_url)
            progress(f"inserting {options.entries:,} journal entries")
            figures |= asyncio.run(fill_journal(database_url, options.entries))
            progress(json.dumps(figures))
            figures |= asyncio.run(time_reconcile(database_url))
            figures["reconcile_command_seconds"] = time_reconcile_command(database_url)
    record(as_figures(figures))
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
