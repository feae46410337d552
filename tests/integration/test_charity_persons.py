"""Charity's view of the persons on the ledger, from the ledger's and intake's events on
SQLite and PostgreSQL: group earmarks follow joins and leaves, a merged file takes no
money and its earmark follows the person to the survivor until the merge is undone,
redelivery changes nothing."""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from integration.charity_books import APPROVER, CLERK, a_fund, give
from integration.conftest import MigratedDatabase
from wushe.charity.adapters.disbursement_orm import PersonOnLedger
from wushe.charity.bootstrap import MIGRATIONS
from wushe.charity.domain.disbursement import DisbursementRequest
from wushe.charity.domain.refusals import Invalid
from wushe.charity.domain.restrictions import Restriction, RestrictionKind
from wushe.charity.entrypoints.donation_events import register_donation_handlers
from wushe.charity.service_layer.approval import approve_disbursement
from wushe.charity.service_layer.disbursements import request_disbursement
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.intake import (
    PersonGroupJoined,
    PersonGroupLeft,
    PersonMerged,
    PersonUnmerged,
)
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.runtime import ServiceRuntime, build_runtime
from wushe.shared.settings import ServiceSettings
from wushe.shared.unit_of_work import UnitOfWork

VILLAGE = "420704001003"
LEDGER = Producer(service="ledger", deployment="test")
INTAKE = Producer(service="intake", deployment="test")


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


def opened(person: uuid.UUID, groups: list[str]) -> EventEnvelope:
    payload = LedgerFileOpened(file_id=uuid.uuid4(), person_id=person, region_code=VILLAGE,
                               groups=groups)  # fmt: skip
    return new_event(payload, subject=str(person), region_code=VILLAGE, producer=LEDGER)


def intake(
    payload: PersonGroupJoined | PersonGroupLeft | PersonMerged | PersonUnmerged,
) -> EventEnvelope:
    return new_event(payload, subject="x", region_code=VILLAGE, producer=INTAKE)


async def pay(runtime: ServiceRuntime, fund: uuid.UUID, person: uuid.UUID,
              restriction: Restriction) -> None:  # fmt: skip
    request = DisbursementRequest(amount_fen=100, purpose="救助", person_id=person,
                                  restriction=restriction)  # fmt: skip
    requested = await request_disbursement(UnitOfWork(runtime.sessions), fund, request, CLERK)
    await approve_disbursement(UnitOfWork(runtime.sessions), uuid.UUID(requested.id), APPROVER)


async def test_earmarks_follow_groups_and_merges(runtime: ServiceRuntime) -> None:
    survivor, duplicate = uuid.uuid4(), uuid.uuid4()
    disabled = Restriction(kind=RestrictionKind.GROUP, target="disabled")
    for_duplicate = Restriction(kind=RestrictionKind.PERSON, target=str(duplicate))
    joined = intake(PersonGroupJoined(person_id=survivor, group="disabled", since=date.today(),
                                      groups=["disabled"]))  # fmt: skip
    # Intake's join arrives before the ledger's file, whose groups are older.
    for event in (joined, opened(survivor, []), opened(duplicate, []), joined):
        await runtime.dispatcher.dispatch(event)
    fund = await a_fund(runtime.sessions)
    await give(runtime.sessions, fund, 1_000, restriction=disabled)
    await give(runtime.sessions, fund, 1_000, restriction=for_duplicate)
    await pay(runtime, fund, survivor, disabled)

    await runtime.dispatcher.dispatch(
        intake(PersonGroupLeft(person_id=survivor, group="disabled", until=date.today(), groups=[]))
    )
    with pytest.raises(Invalid) as left:
        await pay(runtime, fund, survivor, disabled)
    assert left.value.field == "restriction"

    merge = intake(PersonMerged(survivor_id=survivor, merged_id=duplicate, merge_id=uuid.uuid4(),
                                groups=["disabled"]))  # fmt: skip
    await runtime.dispatcher.dispatch(merge)
    with pytest.raises(Invalid) as merged:
        await pay(runtime, fund, duplicate, for_duplicate)
    assert merged.value.field == "person_id" and str(survivor) in str(merged.value)
    await pay(runtime, fund, survivor, for_duplicate)
    await pay(runtime, fund, survivor, disabled)
    undo = PersonUnmerged(survivor_id=survivor, restored_id=duplicate, merge_id=uuid.uuid4(),
                          groups=["disabled"], restored_groups=[])  # fmt: skip
    await runtime.dispatcher.dispatch(intake(undo))
    await pay(runtime, fund, duplicate, for_duplicate)
    with pytest.raises(Invalid):
        await pay(runtime, fund, survivor, for_duplicate)
    async with runtime.sessions() as session:
        person = await session.get(PersonOnLedger, str(survivor))
    assert person is not None and person.groups == ["disabled"] and person.has_file
