"""A poll's events applied together leave the ledger as applying them one at a time does:
files opened, changed, merged and reopened within the batch, a consent granted and
revoked within it, a file opened by an event that came before the person's registration,
and an event delivered twice."""

import secrets
from datetime import date
from uuid import UUID, uuid4

import pytest
from aiokafka import ConsumerRecord
from pydantic import BaseModel

from integration.conftest import MigratedDatabase, Sessions
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.service_layer.commands import CONSUMER, apply_consumed, apply_consumed_batch
from wushe.ledger.service_layer.projection_comparison import compare_databases
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.events import Producer, new_event
from wushe.shared.events.consent import (
    ConsentGranted,
    ConsentRevoked,
    ProcessingPurpose,
    RecipientKind,
)
from wushe.shared.events.intake import (
    PersonGroupJoined,
    PersonMerged,
    PersonRegistered,
    PersonRelocated,
    PersonUnmerged,
    PersonUpdated,
)
from wushe.shared.unit_of_work import UnitOfWork

VILLAGE = "420704001003"
ELSEWHERE = "420702001001"
INTAKE = Producer(service="intake", deployment="test")
LEDGER = Producer(service="ledger", deployment="test")


def consumed(payload: BaseModel, person: UUID, offset: int) -> ConsumedEvent:
    event = new_event(payload, subject=str(person), region_code=VILLAGE, producer=INTAKE)
    headers = [("traceparent", f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01".encode())]
    value = event.to_bytes()
    record = ConsumerRecord(
        "intake.person", 0, offset, 0, 0, None, value, None, 0, len(value), headers=headers
    )
    return ConsumedEvent(event, record)


def registered(person: UUID, groups: list[str]) -> PersonRegistered:
    return PersonRegistered(
        person_id=person, residence_region=VILLAGE, station_region=VILLAGE[:9],
        groups=groups, household_region=VILLAGE[:6], sex="female", age_band="80+",
    )  # fmt: skip


def intake_events() -> list[ConsumedEvent]:
    survivor, duplicate, late = uuid4(), uuid4(), uuid4()
    consent = {
        "person_id": survivor, "consent_id": uuid4(), "purpose": ProcessingPurpose.PUBLICITY,
        "recipient_kind": RecipientKind.ANY, "valid_from": date(2026, 1, 1),
    }  # fmt: skip
    merge = uuid4()
    payloads: list[tuple[BaseModel, UUID]] = [
        (PersonUpdated(person_id=late, changed_fields=["phone"]), late),
        (registered(survivor, ["elderly_living_alone"]), survivor),
        (registered(duplicate, ["subsistence_allowance"]), duplicate),
        (ConsentGranted(**consent), survivor),
        (
            PersonGroupJoined(
                person_id=survivor,
                group="elderly_advanced_age",
                since=date(2026, 11, 2),
                groups=["elderly_living_alone", "elderly_advanced_age"],
            ),
            survivor,
        ),
        (ConsentRevoked(**consent, revoked_on=date(2026, 11, 3)), survivor),
        (
            PersonRelocated(
                person_id=survivor,
                from_region=VILLAGE,
                to_region=ELSEWHERE,
                moved_on=date(2026, 11, 4),
            ),
            survivor,
        ),
        (
            PersonMerged(
                survivor_id=survivor,
                merged_id=duplicate,
                merge_id=merge,
                groups=["elderly_living_alone", "elderly_advanced_age", "subsistence_allowance"],
            ),
            survivor,
        ),
        (
            PersonUnmerged(
                survivor_id=survivor,
                restored_id=duplicate,
                merge_id=merge,
                groups=["elderly_living_alone", "elderly_advanced_age"],
                restored_groups=["subsistence_allowance"],
            ),
            survivor,
        ),
        (registered(late, ["disabled"]), late),
    ]
    events = [
        consumed(payload, person, offset) for offset, (payload, person) in enumerate(payloads)
    ]
    return [*events, events[3]]


async def one_at_a_time(sessions: Sessions, events: list[ConsumedEvent]) -> None:
    for item in events:
        with item.handling(CONSUMER):
            await apply_consumed(UnitOfWork(sessions), item.event, LEDGER)


def url_of(sessions: Sessions) -> str:
    url: str = sessions.kw["bind"].url.render_as_string(hide_password=False)
    return url


async def test_a_batch_leaves_the_rows_one_event_at_a_time_leaves(
    migrated_database: MigratedDatabase,
) -> None:
    events = intake_events()
    alone = await migrated_database("ledger-alone", MIGRATIONS)
    together = await migrated_database("ledger-together", MIGRATIONS)

    await one_at_a_time(alone, events)
    await apply_consumed_batch(UnitOfWork(together), events, LEDGER)

    comparisons = await compare_databases(url_of(alone), url_of(together))
    differences = {c.table: c.examples for c in comparisons if c.differences}
    assert not differences
    rows = {comparison.table: comparison.found_rows for comparison in comparisons}
    assert rows["ledger_files"] == 3 and rows["ledger_consents"] == 1
    assert rows["ledger_visit_plans"] == 3
    assert rows["ledger_timeline"] == 12  # each event once; the (un)merge on both files


@pytest.mark.parametrize("size", [1, 3])
async def test_batches_of_any_size_leave_the_same_rows(
    migrated_database: MigratedDatabase, size: int
) -> None:
    """Split into polls, later polls find the files earlier ones wrote and change them."""
    events = intake_events()
    alone = await migrated_database("ledger-alone", MIGRATIONS)
    polled = await migrated_database("ledger-polled", MIGRATIONS)

    await one_at_a_time(alone, events)
    for start in range(0, len(events), size):
        await apply_consumed_batch(UnitOfWork(polled), events[start : start + size], LEDGER)

    comparisons = await compare_databases(url_of(alone), url_of(polled))
    assert {c.table: c.examples for c in comparisons if c.differences} == {}
    assert {c.table: c.found_rows for c in comparisons}["ledger_files"] == 3


async def test_a_batch_applied_again_changes_nothing(migrated_database: MigratedDatabase) -> None:
    events = intake_events()
    once = await migrated_database("ledger-once", MIGRATIONS)
    twice = await migrated_database("ledger-twice", MIGRATIONS)

    await apply_consumed_batch(UnitOfWork(once), events, LEDGER)
    await apply_consumed_batch(UnitOfWork(twice), events, LEDGER)
    await apply_consumed_batch(UnitOfWork(twice), events, LEDGER)

    comparisons = await compare_databases(url_of(once), url_of(twice))
    assert not [comparison.table for comparison in comparisons if comparison.differences]
