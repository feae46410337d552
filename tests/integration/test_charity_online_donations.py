"""Donations online platforms report through events, on SQLite and PostgreSQL: each
transaction is recorded once however often it arrives, and one that cannot be recorded
is refused in an event naming the field rather than left to block the topic."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from integration.charity_books import CLERK, a_fund, balances, emitted
from integration.conftest import MigratedDatabase
from wushe.charity.adapters.orm import FundRecord
from wushe.charity.bootstrap import MIGRATIONS
from wushe.charity.domain.funds import CHINA, FundKind, FundStatus
from wushe.charity.entrypoints.donation_events import register_donation_handlers
from wushe.charity.service_layer.funds import advance_campaign
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.charity import OnlineDonationSubmitted
from wushe.shared.runtime import ServiceRuntime, build_runtime
from wushe.shared.settings import ServiceSettings
from wushe.shared.unit_of_work import UnitOfWork

PLATFORM = Producer(service="gongyi-bridge", deployment="test")


@pytest.fixture
async def runtime(
    migrated_database: MigratedDatabase, tmp_path: Path
) -> AsyncIterator[ServiceRuntime]:
    sessions = await migrated_database("charity", MIGRATIONS)
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = ServiceSettings(service="charity", database_url=url, data_dir=tmp_path)
    runtime = build_runtime("charity", MIGRATIONS, settings=settings)
    register_donation_handlers(runtime)
    yield runtime
    await runtime.engine.dispose()


def submitted(fund_id: uuid.UUID, transaction: str, amount_fen: int = 9_900) -> EventEnvelope:
    payload = OnlineDonationSubmitted(platform="tencent-gongyi", transaction_id=transaction,
                                      fund_id=fund_id, amount_fen=amount_fen)  # fmt: skip
    return new_event(payload, subject=transaction, region_code="420704", producer=PLATFORM)


async def test_each_transaction_is_recorded_once(runtime: ServiceRuntime) -> None:
    fund = await a_fund(runtime.sessions, kind=FundKind.COMMUNITY)
    first = submitted(fund, "T-1")
    for event in (first, first, submitted(fund, "T-1"), submitted(fund, "T-2", 100)):
        await runtime.dispatcher.dispatch(event)
    accounts = await balances(runtime.sessions, fund)
    assert accounts["holding"] == (10_000, 10_000)
    assert accounts["donations:online_campaign"] == (-10_000, -10_000)
    received = await emitted(runtime.sessions, "donation.received")
    assert [e.payload["receipt_number"][-6:] for e in received] == ["000001", "000002"]
    assert all(e.payload["channel"] == "online_campaign" for e in received)


async def test_a_donation_that_cannot_be_recorded_is_refused_once(
    runtime: ServiceRuntime,
) -> None:
    campaign = await a_fund(runtime.sessions, kind=FundKind.CAMPAIGN, goal_fen=1_000_000)
    nowhere = submitted(uuid.uuid4(), "T-9")
    for event in (nowhere, nowhere, submitted(campaign, "T-10")):
        await runtime.dispatcher.dispatch(event)
    refused = await emitted(runtime.sessions, "online_donation.refused")
    assert [(e.payload["transaction_id"], e.payload["field"]) for e in refused] == [
        ("T-9", "fund_id"), ("T-10", "fund_id"),
    ]  # fmt: skip
    assert "未在募捐中" in refused[1].payload["reason"]
    assert refused[0].causation_id == nowhere.id
    assert await emitted(runtime.sessions, "donation.received") == []


async def test_a_campaign_takes_what_was_given_within_its_period_even_if_reported_later(
    runtime: ServiceRuntime,
) -> None:
    today = datetime.now(UTC).astimezone(CHINA).date()
    campaign = await a_fund(runtime.sessions, kind=FundKind.CAMPAIGN, goal_fen=1_000_000,
                            starts_on=today - timedelta(days=3), ends_on=today)  # fmt: skip
    await advance_campaign(UnitOfWork(runtime.sessions), campaign, FundStatus.LAUNCHED,
                           caller=CLERK.caller, producer=PLATFORM)  # fmt: skip
    # The days pass: the period ended yesterday.
    async with runtime.sessions() as session, session.begin():
        await session.execute(
            update(FundRecord)
            .where(FundRecord.id == str(campaign))
            .values(ends_on=today - timedelta(days=1))
        )
    given_in_time = submitted(campaign, "T-20")
    given_in_time.occurred_at = datetime.now(UTC) - timedelta(days=2)
    given_too_late = submitted(campaign, "T-21")
    for event in (given_in_time, given_too_late):
        await runtime.dispatcher.dispatch(event)
    received = await emitted(runtime.sessions, "donation.received")
    assert [e.payload["amount_fen"] for e in received] == [9_900]
    refused = await emitted(runtime.sessions, "online_donation.refused")
    assert [(e.payload["transaction_id"], e.payload["field"]) for e in refused] == [
        ("T-21", "fund_id")
    ]
    assert f"募捐期限已于{today - timedelta(days=1)}结束" in refused[0].payload["reason"]
