"""The built-in alert rules on SQLite and PostgreSQL, with a clock the tests move: who
each rule reaches, regional settings, merged repeats, quiet hours, daily digests, and
escalation when no acknowledgement comes."""

import asyncio
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import update

from integration.conftest import MigratedDatabase
from integration.notify_routing_support import (
    MIGRATIONS,
    VILLAGE,
    Clock,
    Notify,
    fields_beyond,
)
from wushe.notify.adapters.orm import AlertRecord, FundManagerRecord
from wushe.notify.adapters.sharing_orm import RegionQuietHoursRecord, RuleSettingRecord
from wushe.notify.service_layer.projections import record_offer
from wushe.shared.events import Producer, new_event
from wushe.shared.events.charity import DonationReceived
from wushe.shared.events.consent import RecipientKind
from wushe.shared.events.intake import PersonGroupJoined, PersonRegistered
from wushe.shared.events.needs import NeedKind, NeedPosted, OfferPosted
from wushe.shared.events.visits import CrisisKind, CrisisReported, VisitOverdue
from wushe.shared.unit_of_work import UnitOfWork
from wushe.shared.write_gate import write_gate

CHARITY = Producer(service="charity", deployment="test")
# 23:30 in China (UTC+8): inside quiet hours of 22:00-07:00.
LATE_EVENING = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back times without their zone; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def overdue(person: str) -> VisitOverdue:
    return VisitOverdue(
        person_id=uuid.UUID(person),
        due_on=date(2026, 11, 20),
        interval_days=7,
        detected_on=date(2026, 11, 24),
        notified_level="volunteer_team",
    )


def crisis(person: str, kind: CrisisKind = CrisisKind.ABUSE) -> CrisisReported:
    return CrisisReported(
        visit_id=uuid.uuid4(),
        person_id=uuid.UUID(person),
        crisis_kind=kind,
        found_on=date(2026, 11, 24),
    )


def child(person: str, region: str = VILLAGE, groups: list[str] | None = None) -> PersonRegistered:
    return PersonRegistered(
        person_id=uuid.UUID(person),
        residence_region=region,
        station_region=region[:9],
        groups=groups or ["child_orphan"],
    )


async def test_each_rule_reaches_its_partners(migrated_database: MigratedDatabase) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    station = await notify.partner("station")
    police = await notify.partner("police")
    protection = await notify.partner("child_protection_station")
    hospital = await notify.partner("hospital")
    volunteers = await notify.partner("volunteer_team")
    elsewhere = await notify.partner("child_protection_station", regions=["420703"])
    organisation = await notify.partner("social_organisation")
    manager = await notify.partner("civil_affairs_bureau")

    person = str(uuid.uuid4())
    await notify.route(crisis(person), subject=person)
    await notify.route(child(person), subject=person)
    adult = str(uuid.uuid4())
    await notify.route(
        PersonRegistered(
            person_id=uuid.UUID(adult),
            residence_region=VILLAGE,
            station_region=VILLAGE[:9],
            groups=["elderly_living_alone"],
        ),
        subject=adult,
    )
    await notify.route(overdue(person), subject=person)

    offer = OfferPosted(
        offer_id=uuid.uuid4(),
        partner_id=organisation,
        kinds=[NeedKind.SHOPPING_AND_MEALS],
        regions=["420704"],
        capacity=2,
    )
    await record_offer(
        UnitOfWork(notify.sessions),
        new_event(offer, subject=str(offer.offer_id), region_code="420704", producer=CHARITY),
    )
    for kind in (NeedKind.SHOPPING_AND_MEALS, NeedKind.TUTORING):
        need = NeedPosted(
            need_id=uuid.uuid4(),
            kind=kind,
            quantity=1,
            region_code=VILLAGE,
            deadline=date(2026, 12, 1),
        )
        await notify.route(need, subject=str(need.need_id), producer=CHARITY)

    fund = uuid.uuid4()
    async with notify.sessions() as session, session.begin():
        session.add(FundManagerRecord(fund_id=str(fund), partner_id=manager, fund_name="基金"))
    donation = DonationReceived(
        donation_id=uuid.uuid4(), fund_id=fund, amount_fen=500, channel="cash", receipt_number="R-1"
    )
    await notify.route(donation, subject=str(fund), region="420704", producer=CHARITY)

    def received(partner: str, alerts: list[AlertRecord]) -> list[tuple[str, str]]:
        return [(a.event_type, a.body["data"]["rule"]) for a in alerts if a.partner_id == partner]

    alerts = await notify.alerts()
    assert received(station, alerts) == [("crisis.reported", "crisis_reported")]
    assert received(police, alerts) == [("crisis.reported", "crisis_reported")]
    assert received(protection, alerts) == [
        ("crisis.reported", "crisis_reported"),
        ("person.registered", "child_in_difficulty"),
    ]
    assert received(hospital, alerts) == [] and received(elsewhere, alerts) == []
    assert received(volunteers, alerts) == [("visit.overdue", "visit_overdue")]
    assert received(organisation, alerts) == [("need.posted", "need_to_offering_organisations")]
    assert received(manager, alerts) == [("donation.received", "fund_managers")]
    assert {a.body["data"]["reason"] for a in alerts if a.partner_id == manager} == {"fund_manager"}
    assert all(a.rule == a.body["data"]["rule"] for a in alerts)


async def test_a_region_switches_a_rule_off_or_names_other_recipients(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    protection = await notify.partner("child_protection_station", regions=["420700"])
    bureau = await notify.partner("civil_affairs_bureau", regions=["420700"])
    police = await notify.partner("police", regions=["420700"])
    async with notify.sessions() as session, session.begin():
        session.add_all(
            [
                RuleSettingRecord(
                    rule="child_in_difficulty",
                    region_code="420703",
                    enabled=False,
                    recipient_kinds=None,
                    escalate_after_minutes=None,
                    merge_window_minutes=None,
                ),
                # The district names its own recipients; one township inside it goes back to
                # the built-in ones: the most specific region decides.
                RuleSettingRecord(
                    rule="crisis_reported",
                    region_code="420704",
                    enabled=True,
                    recipient_kinds=["civil_affairs_bureau"],
                    escalate_after_minutes=None,
                    merge_window_minutes=None,
                ),
                RuleSettingRecord(
                    rule="crisis_reported",
                    region_code="420704002",
                    enabled=True,
                    recipient_kinds=None,
                    escalate_after_minutes=None,
                    merge_window_minutes=None,
                ),
            ]
        )
    off, on = str(uuid.uuid4()), str(uuid.uuid4())
    await notify.route(child(off, region="420703001001"), subject=off, region="420703001001")
    await notify.route(child(on), subject=on)
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    await notify.route(crisis(first, CrisisKind.MISSING), subject=first)
    await notify.route(crisis(second, CrisisKind.MISSING), subject=second, region="420704002001")

    assert [a.subject for a in await notify.alerts(protection)] == [on]
    assert [a.subject for a in await notify.alerts(bureau)] == [first]
    assert [a.subject for a in await notify.alerts(police)] == [second]


async def test_repeats_within_the_window_are_merged_into_the_first_alert(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    protection = await notify.partner("child_protection_station")
    await notify.agreement(protection, ["person.registered", "person.group_joined"], ["person_id"])
    person = str(uuid.uuid4())
    await notify.consent(person, RecipientKind.CHILD_PROTECTION_STATION)
    await notify.route(child(person), subject=person)
    for group in ("child_in_difficulty", "child_unattended"):
        notify.clock.advance(hours=2)
        joined = PersonGroupJoined(
            person_id=uuid.UUID(person),
            group=group,
            since=date(2026, 11, 24),
            groups=["child_orphan", group],
        )
        await notify.route(joined, subject=person)
    [alert] = await notify.alerts(protection)
    assert alert.body["data"]["repeats"] == 2, "repeats counted on the alert not yet sent"

    notify.clock.advance(days=1)
    await notify.route(child(person), subject=person)
    assert len(await notify.alerts(protection)) == 2, "after the window, a new alert"


async def test_quiet_hours_hold_non_urgent_alerts_until_morning_but_not_urgent_ones(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS), Clock(LATE_EVENING))
    volunteers = await notify.partner("volunteer_team", quiet_from="22:00", quiet_until="07:00")
    station = await notify.partner("station", quiet_from="22:00", quiet_until="07:00")
    regional = await notify.partner("volunteer_team", regions=["420704001"])
    async with notify.sessions() as session, session.begin():
        session.add(
            RegionQuietHoursRecord(region_code="420704001", quiet_from="21:00", quiet_until="06:30")
        )
    person = str(uuid.uuid4())
    await notify.route(overdue(person), subject=person)
    await notify.route(crisis(person, CrisisKind.MEDICAL_EMERGENCY), subject=person)

    [held] = await notify.alerts(volunteers)
    assert aware(held.next_attempt_at) == datetime(2026, 11, 24, 23, 0, tzinfo=UTC)  # 07:00 China
    [urgent] = await notify.alerts(station)
    assert aware(urgent.next_attempt_at) == LATE_EVENING
    [by_region] = await notify.alerts(regional)
    assert aware(by_region.next_attempt_at) == datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # 06:30


async def test_a_daily_digest_carries_the_days_non_urgent_alerts_in_one(
    migrated_database: MigratedDatabase,
) -> None:
    # 07:00 China on 25 November; the digest goes at 08:00.
    notify = Notify(
        await migrated_database("notify", MIGRATIONS),
        Clock(datetime(2026, 11, 24, 23, 0, tzinfo=UTC)),
    )
    protection = await notify.partner("child_protection_station", digest_at="08:00")
    await notify.agreement(protection, ["person.registered"], ["groups"])
    consenting, silent = str(uuid.uuid4()), str(uuid.uuid4())
    await notify.consent(consenting, RecipientKind.CHILD_PROTECTION_STATION)
    for person in (consenting, silent):
        await notify.route(child(person), subject=person)
    assert await notify.alerts(protection) == [], "gathered for the digest, not sent"

    notify.clock.advance(minutes=59)
    assert await notify.sweeper.send_digests() == 0
    notify.clock.advance(minutes=1)
    assert await notify.sweeper.send_digests() == 1
    assert await notify.sweeper.send_digests() == 0, "one digest a day"

    [digest] = await notify.bodies(protection)
    assert digest["type"] == "digest.daily" and digest["data"]["count"] == 2
    items = [item["data"] for item in digest["data"]["items"]]
    assert [item["subject"] for item in items] == [consenting, silent]
    assert items[0]["groups"] == ["child_orphan"] and "groups" not in items[1]
    assert fields_beyond(digest, {"groups"}) == set()

    later = str(uuid.uuid4())
    await notify.route(child(later), subject=later)
    notify.clock.advance(hours=23, minutes=59)
    assert await notify.sweeper.send_digests() == 0
    notify.clock.advance(minutes=1)
    assert await notify.sweeper.send_digests() == 1, "the next morning's digest"


async def test_an_escalation_waits_its_turn_to_write_behind_the_consumer(
    backend: str, migrated_database: MigratedDatabase
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    await notify.partner("volunteer_team")
    station = await notify.partner("station")
    await notify.agreement(station, ["visit.overdue"], ["person_id"])
    person = str(uuid.uuid4())
    await notify.consent(person, RecipientKind.STATION)
    await notify.route(overdue(person), subject=person)
    notify.clock.advance(hours=24)

    # A consumer's batch holds the turn to write (on SQLite): the sweep queues behind it
    # instead of contending for SQLite's lock.
    async with notify.sessions() as consumer, write_gate(consumer):
        sweep = asyncio.create_task(notify.sweeper.escalate_unacknowledged())
        await asyncio.sleep(0.2)
        assert sweep.done() is (backend != "sqlite")
    assert await asyncio.wait_for(sweep, timeout=10) == 1
    assert len(await notify.alerts(station)) == 1


async def test_an_unacknowledged_overdue_visit_escalates_to_the_station_once(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    volunteers = await notify.partner("volunteer_team")
    station = await notify.partner("station")
    await notify.agreement(station, ["visit.overdue"], ["person_id"])
    ignored, acknowledged = str(uuid.uuid4()), str(uuid.uuid4())
    await notify.consent(ignored, RecipientKind.STATION)
    await notify.route(overdue(ignored), subject=ignored)
    await notify.route(overdue(acknowledged), subject=acknowledged)
    async with notify.sessions() as session, session.begin():
        await session.execute(
            update(AlertRecord)
            .where(AlertRecord.subject == acknowledged)
            .values(acknowledged_at=notify.clock(), acknowledged_by="volunteer-7")
        )

    notify.clock.advance(hours=23, minutes=59)
    assert await notify.sweeper.escalate_unacknowledged() == 0
    assert await notify.alerts(station) == []
    notify.clock.advance(minutes=1)
    assert await notify.sweeper.escalate_unacknowledged() == 1
    notify.clock.advance(hours=48)
    assert await notify.sweeper.escalate_unacknowledged() == 0, "escalated once"

    [escalated] = await notify.alerts(station)
    [original] = (
        await notify.alerts(volunteers)[:1]
        if False
        else [a for a in await notify.alerts(volunteers) if a.subject == ignored]
    )
    data = escalated.body["data"]
    assert (data["reason"], data["escalation_of"]) == ("escalation", original.id)
    assert data["person_id"] == ignored and escalated.subject == ignored


async def test_the_escalation_delay_is_set_per_region(migrated_database: MigratedDatabase) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    await notify.partner("volunteer_team")
    station = await notify.partner("station")
    async with notify.sessions() as session, session.begin():
        session.add(
            RuleSettingRecord(
                rule="visit_overdue",
                region_code="420704",
                enabled=True,
                recipient_kinds=None,
                escalate_after_minutes=120,
                merge_window_minutes=None,
            )
        )
    person = str(uuid.uuid4())
    await notify.route(overdue(person), subject=person)
    notify.clock.advance(minutes=119)
    assert await notify.sweeper.escalate_unacknowledged() == 0
    notify.clock.advance(minutes=1)
    assert await notify.sweeper.escalate_unacknowledged() == 1
    [escalated] = await notify.alerts(station)
    assert escalated.body["data"]["reason"] == "escalation"


async def test_with_no_volunteer_team_in_the_region_the_station_hears_at_once(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    await notify.partner("volunteer_team", regions=["420703"])
    station = await notify.partner("station")
    person = str(uuid.uuid4())
    await notify.route(overdue(person), subject=person)
    [alert] = await notify.alerts(station)
    assert (alert.event_type, alert.body["data"]["reason"]) == ("visit.overdue", "rule")
    notify.clock.advance(days=2)
    assert await notify.sweeper.escalate_unacknowledged() == 0, "already at the top level"
