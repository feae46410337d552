"""Notify consuming a poll's events in one transaction, on SQLite and PostgreSQL: a batch
of mixed events makes the same alerts, routing records and sharing-ledger lines as the
same events handled one by one; a redelivered batch has no second effect; a batch with a
poison event leaves nothing behind, so that its events can be applied one by one."""

import uuid
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest
from aiokafka import ConsumerRecord
from pydantic import BaseModel
from sqlalchemy import func, select

from integration.conftest import MigratedDatabase, Sessions
from integration.notify_routing_support import INTAKE, LEDGER, MIGRATIONS, VILLAGE, Clock
from wushe.notify.adapters.orm import AlertRecord, PartnerRecord
from wushe.notify.adapters.sharing_orm import (
    PartnerProfileRecord,
    RegionQuietHoursRecord,
    RoutedAlertRecord,
    SharingAgreementRecord,
    SharingLedgerRecord,
)
from wushe.notify.entrypoints.events import register_handlers
from wushe.notify.service_layer.routing import Router
from wushe.shared.batch_consumer import ConsumedEvent
from wushe.shared.dispatcher import EventDispatcher
from wushe.shared.events import EventEnvelope, Producer, new_event
from wushe.shared.events.charity import DonationReceived, FundOpened
from wushe.shared.events.consent import ConsentGranted, ProcessingPurpose, RecipientKind
from wushe.shared.events.intake import PersonGroupJoined, PersonRegistered
from wushe.shared.events.needs import NeedKind, NeedPosted, OfferPosted
from wushe.shared.events.visits import CrisisKind, CrisisReported, VisitOverdue
from wushe.shared.messaging_tables import processed_events
from wushe.shared.runtime import ServiceRuntime
from wushe.shared.settings import Settings
from wushe.shared.unit_of_work import UnitOfWork

CHARITY = Producer(service="charity", deployment="test")
# 23:30 in China: non-urgent alerts are held for quiet hours or gathered into a digest.
LATE_EVENING = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
PARTNERS = {kind: str(uuid.uuid4()) for kind in (
    "station", "police", "child_protection_station", "volunteer_team", "social_organisation",
    "civil_affairs_bureau",
)}  # fmt: skip
QUIET_VOLUNTEERS = str(uuid.uuid4())


class Handlers:
    """Notify's real event handlers, registered on a dispatcher over one database."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions
        self.dispatcher = EventDispatcher("notify")
        self.wakes = 0
        runtime = cast(ServiceRuntime, self)
        register_handlers(
            runtime, Router(Settings().field_cipher(), Clock(LATE_EVENING)), self.wake
        )

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def wake(self) -> None:
        self.wakes += 1

    async def one_by_one(self, events: list[EventEnvelope]) -> None:
        for event in events:
            await self.dispatcher.dispatch(event)

    async def batch(self, events: list[EventEnvelope]) -> None:
        await self.dispatcher.dispatch_batch([consumed(event, n) for n, event in enumerate(events)])


def consumed(event: EventEnvelope, offset: int) -> ConsumedEvent:
    value = event.model_dump_json().encode()
    record = ConsumerRecord(
        "notify.test", 0, offset, 0, 0, None, value, None, 0, len(value), headers=[]
    )
    return ConsumedEvent(event, record)


async def partners(sessions: Sessions) -> None:
    now = LATE_EVENING
    async with sessions() as session, session.begin():
        for kind, partner_id in [*PARTNERS.items(), ("volunteer_team", QUIET_VOLUNTEERS)]:
            session.add(PartnerRecord(
                id=partner_id, name=f"{kind} {partner_id[:6]}", kind=kind, regions=["420704"],
                webhook_url="http://127.0.0.1:9/hooks", created_at=now,
            ))  # fmt: skip
        await session.flush()
        session.add_all([
            PartnerProfileRecord(partner_id=PARTNERS["volunteer_team"], digest_at="08:00"),
            PartnerProfileRecord(
                partner_id=QUIET_VOLUNTEERS, quiet_from="22:00", quiet_until="07:00"
            ),
            RegionQuietHoursRecord(
                region_code="420704001", quiet_from="21:00", quiet_until="06:30"
            ),
            SharingAgreementRecord(
                id=str(uuid.uuid4()), partner_id=PARTNERS["child_protection_station"],
                reference="鄂民〔2026〕12号",
                purpose=ProcessingPurpose.DATA_SHARING_WITH_PARTNERS.value,
                event_types=["person.registered", "person.group_joined", "crisis.reported"],
                fields=["person_id", "groups", "crisis_kind"], valid_from=date(2026, 1, 1),
                valid_until=None, created_at=now,
            ),
        ])  # fmt: skip


def mixed_events() -> list[EventEnvelope]:
    consenting, withheld = uuid.uuid4(), uuid.uuid4()
    fund, organisation = uuid.uuid4(), PARTNERS["social_organisation"]

    def event(payload: BaseModel, subject: object, producer: Producer = LEDGER) -> EventEnvelope:
        return new_event(payload, subject=str(subject), region_code=VILLAGE, producer=producer)

    def registered(person: uuid.UUID) -> PersonRegistered:
        return PersonRegistered(
            person_id=person, residence_region=VILLAGE, station_region=VILLAGE[:9],
            groups=["child_orphan"],
        )  # fmt: skip

    consent = ConsentGranted(
        person_id=consenting, consent_id=uuid.uuid4(),
        purpose=ProcessingPurpose.DATA_SHARING_WITH_PARTNERS,
        recipient_kind=RecipientKind.CHILD_PROTECTION_STATION, valid_from=date(2026, 1, 1),
    )  # fmt: skip
    overdue = VisitOverdue(
        person_id=consenting, due_on=date(2026, 11, 20), interval_days=7,
        detected_on=date(2026, 11, 24), notified_level="volunteer_team",
    )  # fmt: skip
    first_child = event(registered(consenting), consenting, INTAKE)
    return [
        event(consent, consenting, INTAKE),
        first_child,
        # A repeat within the rule's window: merged into the alert just made.
        event(
            PersonGroupJoined(
                person_id=consenting,
                group="child_unattended",
                since=date(2026, 11, 24),
                groups=["child_orphan", "child_unattended"],
            ),
            consenting,
            INTAKE,
        ),
        event(registered(withheld), withheld, INTAKE),
        event(
            CrisisReported(
                visit_id=uuid.uuid4(),
                person_id=consenting,
                crisis_kind=CrisisKind.ABUSE,
                found_on=date(2026, 11, 24),
            ),
            consenting,
        ),
        event(overdue, consenting),
        event(overdue, consenting),
        event(
            OfferPosted(
                offer_id=uuid.uuid4(),
                partner_id=organisation,
                kinds=[NeedKind.SHOPPING_AND_MEALS],
                regions=["420704"],
                capacity=2,
            ),
            organisation,
            CHARITY,
        ),
        # Routed to the organisation whose offer the same batch projected.
        event(
            NeedPosted(
                need_id=uuid.uuid4(),
                kind=NeedKind.SHOPPING_AND_MEALS,
                quantity=1,
                region_code=VILLAGE,
                deadline=date(2026, 12, 1),
            ),
            uuid.uuid4(),
            CHARITY,
        ),
        event(
            FundOpened(
                fund_id=fund,
                fund_name="基金",
                region_code="420704",
                manager_partner_ids=[uuid.UUID(PARTNERS["civil_affairs_bureau"])],
            ),
            fund,
            CHARITY,
        ),
        event(
            DonationReceived(
                donation_id=uuid.uuid4(),
                fund_id=fund,
                amount_fen=500,
                channel="cash",
                receipt_number="R-1",
            ),
            fund,
            CHARITY,
        ),
        # Delivered twice within one poll.
        first_child,
    ]


async def effects(sessions: Sessions) -> dict[str, Any]:
    """What routing wrote, without the ids and times that differ between two runs."""
    async with sessions() as session:
        alerts = await session.scalars(select(AlertRecord))
        routed = await session.scalars(select(RoutedAlertRecord))
        ledger = await session.scalars(select(SharingLedgerRecord))
        claims = await session.execute(
            select(processed_events.c.consumer, processed_events.c.event_id)
        )
        return {
            "alerts": sorted(
                (a.partner_id, a.event_id, a.rule, a.idempotency_key, a.status,
                 a.next_attempt_at.replace(tzinfo=None), repr(without_id(a.body)))
                for a in alerts
            ),
            "routed": sorted(
                (r.partner_id, r.event_id, r.rule, r.reason, r.merge_key, r.delivery, r.repeats,
                 tuple(r.merged_event_ids), r.escalate_at is not None)
                for r in routed
            ),
            "ledger": sorted(
                (line.person_id, line.partner_id, line.event_id, line.rule,
                 tuple(line.fields_shared), tuple(line.fields_withheld),
                 str(line.withheld_because), str(line.consent_id))
                for line in ledger
            ),
            "claims": sorted(tuple(row) for row in claims),
        }  # fmt: skip


def without_id(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "data": {k: v for k, v in body["data"].items() if k != "alert_id"}}


async def test_a_batch_routes_as_its_events_would_one_by_one_and_only_once(
    migrated_database: MigratedDatabase,
) -> None:
    one_by_one = Handlers(await migrated_database("notify_single", MIGRATIONS))
    batched = Handlers(await migrated_database("notify_batch", MIGRATIONS))
    events = mixed_events()
    for handlers in (one_by_one, batched):
        await partners(handlers.sessions)

    await one_by_one.one_by_one(events)
    await batched.batch(events)

    expected = await effects(one_by_one.sessions)
    assert await effects(batched.sessions) == expected
    assert batched.wakes == 1, "the delivery worker is woken once for the whole batch"
    rules = {alert[2] for alert in expected["alerts"]}
    assert {"crisis_reported", "child_in_difficulty", "fund_managers"} <= rules
    assert any(row[6] == 1 for row in expected["routed"]), "a repeat was merged"
    assert {row[5] for row in expected["routed"]} >= {"immediate", "held", "digest"}
    assert {row[6] for row in expected["ledger"]} >= {"None", "no_consent"}

    await batched.batch(events)
    assert await effects(batched.sessions) == expected, "a redelivered batch changes nothing"


async def test_a_batch_with_a_poison_event_leaves_nothing_for_its_events_to_be_applied_alone(
    migrated_database: MigratedDatabase,
) -> None:
    handlers = Handlers(await migrated_database("notify", MIGRATIONS))
    await partners(handlers.sessions)
    events = mixed_events()[:6]
    poison = events[0].model_copy(update={"id": uuid.uuid4(), "payload": {"person_id": "x"}})
    batch = [*events[:3], poison, *events[3:]]

    with pytest.raises(ValueError):
        await handlers.batch(batch)
    async with handlers.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(processed_events)) == 0
        assert await session.scalar(select(func.count()).select_from(AlertRecord)) == 0

    # As the batch consumer does after a failed batch: each event alone, the poison one
    # failing on its own.
    for event in batch:
        if event is poison:
            with pytest.raises(ValueError):
                await handlers.dispatcher.dispatch(event)
        else:
            await handlers.dispatcher.dispatch(event)
    reference = Handlers(await migrated_database("notify_reference", MIGRATIONS))
    await partners(reference.sessions)
    await reference.one_by_one(events)
    assert await effects(handlers.sessions) == await effects(reference.sessions)
