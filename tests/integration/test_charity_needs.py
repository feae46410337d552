"""Needs and offers (点单/接单) on SQLite and PostgreSQL: a need from posting to
confirmation with an event for every step, one taker however many race for it, offers'
capacity, overdue needs, refusals naming the field, and the figures."""

import asyncio
import json
import os
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import wushe.charity
from integration.conftest import MigratedDatabase, Sessions
from wushe.charity.adapters.needs_orm import NeedRecord
from wushe.charity.domain.goods_periods import Period, china_today
from wushe.charity.domain.needs_lifecycle import NeedPosting
from wushe.charity.domain.offers_matching import OfferPosting
from wushe.charity.domain.refusals import Forbidden, NotFound, Refused
from wushe.charity.service_layer.needs_commands import (
    cancel_need,
    confirm_need,
    fulfil_need,
    post_need,
    reject_fulfilment,
    take_need,
)
from wushe.charity.service_layer.needs_reads import (
    need_figures,
    needs_in,
    overdue_condition,
    steps_of,
    suggestions_for,
)
from wushe.charity.service_layer.offers_commands import post_offer
from wushe.shared.auth import Caller, Role
from wushe.shared.events import Producer
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.messaging_tables import outbox
from wushe.shared.unit_of_work import UnitOfWork

# The service's migrations, found without building the service's app.
MIGRATIONS = Path(wushe.charity.__file__).parent / "migrations"
CHARITY = Producer(service="charity", deployment="test")
VILLAGE = "420704001003"
STATION = Caller(subject="staff-1", role=Role.STATION_STAFF, region="420704001")
CIPHER = FieldCipher({"k1": os.urandom(32)}, "k1")


def organisation(name: str, region: str = "420704") -> Caller:
    return Caller(subject=name, role=Role.PARTNER, region=region)


async def offer(
    sessions: Sessions, partner: Caller, kinds: list[str], regions: list[str], capacity: int = 3
) -> str:
    posting = OfferPosting.model_validate(
        {"kinds": kinds, "regions": regions, "capacity": capacity, "summary": "上门助餐"}
    )
    record = await post_offer(UnitOfWork(sessions), posting, caller=partner, producer=CHARITY)
    return record.id


async def need(
    sessions: Sessions, kind: str = "shopping_and_meals", person: uuid.UUID | None = None,
    deadline: date | None = None,
) -> str:  # fmt: skip
    posting = NeedPosting.model_validate({
        "kind": kind, "quantity": 4, "unit": "次", "summary": "独居老人每周代买助餐",
        "region_code": VILLAGE, "person_id": person,
        "deadline": deadline or china_today() + timedelta(days=7),
    })  # fmt: skip
    record = await post_need(
        UnitOfWork(sessions), posting, caller=STATION, today=china_today(), producer=CHARITY
    )
    return record.id


async def take(sessions: Sessions, need_id: str, partner: Caller) -> NeedRecord:
    return await take_need(UnitOfWork(sessions), uuid.UUID(need_id), caller=partner,
                           producer=CHARITY)  # fmt: skip


async def fulfil(sessions: Sessions, need_id: str, partner: Caller, note: str = "已送达") -> None:
    await fulfil_need(UnitOfWork(sessions), uuid.UUID(need_id), note, caller=partner,
                      cipher=CIPHER, producer=CHARITY)  # fmt: skip


async def confirm(sessions: Sessions, need_id: str) -> None:
    await confirm_need(UnitOfWork(sessions), uuid.UUID(need_id), caller=STATION, producer=CHARITY)


async def published(sessions: Sessions, subject: str) -> list[tuple[str, dict[str, object]]]:
    async with sessions() as session:
        rows = await session.execute(
            select(outbox.c.event_type, outbox.c.body)
            .where(outbox.c.key == subject)
            .order_by(outbox.c.id)
        )
        return [(kind, json.loads(body)) for kind, body in rows]


async def test_a_need_goes_from_posting_to_confirmation_with_an_event_for_each_step(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    meals, near = organisation("org-meals"), organisation("org-near", "420704001")
    await offer(sessions, meals, ["shopping_and_meals", "daily_care"], ["420704"])
    near_offer = await offer(sessions, near, ["shopping_and_meals"], ["420704001"], capacity=1)
    await offer(sessions, organisation("org-tutors"), ["tutoring"], ["420704"])
    person = uuid.uuid4()
    need_id = await need(sessions, person=person)

    async with sessions() as session:
        record = await session.get(NeedRecord, need_id)
        assert record is not None
        ranked = await suggestions_for(session, record)
    assert [s.offer.partner_id for s in ranked] == ["org-near", "org-meals"]

    taken = await take(sessions, need_id, near)
    assert taken.offer_id == near_offer and taken.taken_by == "org-near"
    await fulfil(sessions, need_id, near, "送餐四次, 老人不在家一次")
    await reject_fulfilment(UnitOfWork(sessions), uuid.UUID(need_id), "少送一次", caller=STATION,
                            cipher=CIPHER, producer=CHARITY)  # fmt: skip
    await fulfil(sessions, need_id, near)
    await confirm(sessions, need_id)

    events = await published(sessions, need_id)
    assert [kind for kind, _ in events] == [
        "need.posted", "need.taken", "need.fulfilled", "need.fulfilment_rejected",
        "need.fulfilled", "need.confirmed",
    ]  # fmt: skip
    for kind, event in events:
        payload = event["payload"]
        assert isinstance(payload, dict)
        assert payload["kind"] == "shopping_and_meals" and payload["region_code"] == VILLAGE
        assert payload["person_id"] == str(person) and payload["deadline"]
        assert event["region_code"] == VILLAGE and event["subject"] == need_id
        if kind != "need.posted":
            assert payload["partner_id"] == "org-near"
    text = json.dumps(events, ensure_ascii=False)
    for secret in ("独居老人", "老人不在家", "少送一次"):
        assert secret not in text, f"{secret} travelled on the topic"

    async with sessions() as session:
        steps = await steps_of(session, need_id)
        record = await session.get(NeedRecord, need_id)
    assert record is not None and record.status == "confirmed" and record.closed_at is not None
    assert [step.step for step in steps][-2:] == ["fulfilled", "confirmed"]
    sealed = [step.note_sealed for step in steps if step.note_sealed]
    assert len(sealed) == 3 and all("少送" not in note for note in sealed)
    assert CIPHER.decrypt(sealed[1], column="need_steps.note") == "少送一次"

    # The confirmed need frees the offer's capacity for the next.
    second = await need(sessions)
    assert (await take(sessions, second, near)).offer_id == near_offer


async def test_only_one_organisation_takes_a_need_however_many_race_for_it(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    partners = [organisation(f"org-{n}") for n in range(8)]
    for partner in partners:
        await offer(sessions, partner, ["daily_care"], ["420704"])
    need_id = await need(sessions, "daily_care")

    async def attempt(partner: Caller) -> str | None:
        try:
            await take(sessions, need_id, partner)
        except Refused as refused:
            assert refused.field == "status", refused
            return None
        return partner.subject

    takers = [taker for taker in await asyncio.gather(*map(attempt, partners)) if taker]
    assert len(takers) == 1
    async with sessions() as session:
        record = await session.get(NeedRecord, need_id)
    assert record is not None and record.taken_by == takers[0]
    assert [kind for kind, _ in await published(sessions, need_id)] == [
        "need.posted", "need.taken",
    ]  # fmt: skip


async def test_an_offer_carries_no_more_needs_than_its_capacity_even_when_taken_at_once(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    partner = organisation("org-small")
    await offer(sessions, partner, ["goods"], ["420704"], capacity=2)
    needs = [await need(sessions, "goods") for _ in range(6)]

    async def attempt(need_id: str) -> bool:
        try:
            await take(sessions, need_id, partner)
        except Refused as refused:
            assert refused.field == "capacity", refused
            return False
        return True

    assert sum(await asyncio.gather(*map(attempt, needs))) == 2


async def test_steps_out_of_turn_or_by_the_wrong_party_are_refused_naming_the_field(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    helper, other = organisation("org-help"), organisation("org-other")
    await offer(sessions, helper, ["counselling"], ["420704"])
    need_id = await need(sessions, "counselling")

    with pytest.raises(Refused) as no_offer:
        await take(sessions, need_id, other)
    assert no_offer.value.field == "kind"
    with pytest.raises(Refused) as too_early:
        await confirm(sessions, need_id)
    assert too_early.value.field == "status"
    await take(sessions, need_id, helper)
    await offer(sessions, other, ["counselling"], ["420704"])
    with pytest.raises(Refused) as taken:
        await take(sessions, need_id, other)
    assert taken.value.field == "status"
    with pytest.raises(Forbidden) as not_theirs:
        await fulfil(sessions, need_id, other)
    assert not_theirs.value.field == "need_id"
    far = organisation("org-far", "420703")
    with pytest.raises(NotFound):
        await take(sessions, need_id, far)
    with pytest.raises(Forbidden) as outside:
        await offer(sessions, far, ["counselling"], ["420704"])
    assert outside.value.field == "regions.0"

    await cancel_need(UnitOfWork(sessions), uuid.UUID(need_id), "老人已入住养老院",
                      caller=STATION, cipher=CIPHER, producer=CHARITY)  # fmt: skip
    with pytest.raises(Refused) as cancelled:
        await fulfil(sessions, need_id, helper)
    assert cancelled.value.field == "status"
    events = await published(sessions, need_id)
    assert events[-1][0] == "need.cancelled"
    assert events[-1][1]["payload"]["partner_id"] == "org-help"  # type: ignore[index]


async def test_needs_untaken_past_their_deadline_are_overdue(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    today = china_today()
    soon = await need(sessions, deadline=today)
    later = await need(sessions, deadline=today + timedelta(days=5))
    taken = await need(sessions, deadline=today)
    partner = organisation("org-meals")
    await offer(sessions, partner, ["shopping_and_meals"], ["420704"])
    await take(sessions, taken, partner)
    async with sessions() as session:
        in_two_days = await needs_in(
            session, "420704", overdue_condition(today + timedelta(days=2)), limit=10
        )
        today_overdue = await needs_in(session, "420704", overdue_condition(today), limit=10)
    assert [n.id for n in in_two_days] == [soon]
    assert today_overdue == []
    assert later not in [n.id for n in in_two_days]


async def test_figures_count_needs_and_organisations_engaged_by_region_and_period(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("charity", MIGRATIONS)
    first, second = organisation("org-1"), organisation("org-2")
    for partner in (first, second):
        await offer(sessions, partner, ["tutoring"], ["420704"])
    done = await need(sessions, "tutoring")
    await take(sessions, done, first)
    await fulfil(sessions, done, first)
    await confirm(sessions, done)
    open_one = await need(sessions, "tutoring")
    await take(sessions, open_one, second)
    await need(sessions, "tutoring")

    today = china_today()
    async with sessions() as session:
        rows, total = await need_figures(session, "420704", "station", Period(today, today))
        _, before = await need_figures(
            session, "420704", "station", Period(today - timedelta(days=9), today - timedelta(1))
        )
    assert [row.region_code for row in rows] == ["420704001"]
    assert (total.posted, total.taken, total.fulfilled, total.confirmed) == (3, 2, 1, 1)
    assert total.organisations_engaged == 2 and rows[0].organisations_engaged == 2
    assert (before.posted, before.organisations_engaged) == (0, 0)
