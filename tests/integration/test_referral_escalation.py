"""Referrals on a real database with a controllable clock: an unanswered referral goes
to the station head once and then to the district once; one answered in time does not
go up until its completion date passes; consent, or a statutory ground, comes first."""

import json
import os
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from integration.conftest import MigratedDatabase, Sessions
from wushe.ledger.adapters.referral_orm import ReferralRecord, ReferralStepRecord
from wushe.ledger.bootstrap import MIGRATIONS
from wushe.ledger.domain.referrals import CHINA
from wushe.ledger.service_layer.commands import apply_consumed
from wushe.ledger.service_layer.referral_escalation import escalate_referrals
from wushe.ledger.service_layer.referrals import (
    Acting,
    NewReferral,
    accept_referral,
    send_referral,
)
from wushe.shared.auth import Caller, Role
from wushe.shared.events import Producer, new_event
from wushe.shared.events.consent import ConsentGranted, ProcessingPurpose, RecipientKind
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.events.referrals import StatutoryGround, Urgency
from wushe.shared.field_encryption import FieldCipher
from wushe.shared.messaging_tables import outbox
from wushe.shared.refusals import Forbidden, Refused
from wushe.shared.unit_of_work import UnitOfWork

LEDGER = Producer(service="ledger", deployment="test")
INTAKE = Producer(service="intake", deployment="test")
CIPHER = FieldCipher({"k1": os.urandom(32)}, "k1")
WORKER = Caller(subject="worker-017", role=Role.SOCIAL_WORKER, region="420704")
SENT_AT = datetime(2026, 11, 17, 10, 0, tzinfo=CHINA)  # a Tuesday
REASON = "老人独居，近期两次跌倒，需医院康复评估"


async def person_on_file(sessions: Sessions, *, consent_to: RecipientKind | None) -> str:
    person = uuid.uuid4()
    events = [
        PersonRegistered(person_id=person, residence_region="420704001003",
                         station_region="420704001", groups=["elderly_living_alone"]),
    ]  # fmt: skip
    if consent_to is not None:
        events.append(
            ConsentGranted(
                person_id=person,
                consent_id=uuid.uuid4(),
                purpose=ProcessingPurpose.DATA_SHARING_WITH_PARTNERS,
                recipient_kind=consent_to,
                valid_from=SENT_AT.date(),
            )
        )
    for payload in events:
        event = new_event(payload, subject=str(person), region_code="420704001003",
                          producer=INTAKE)  # fmt: skip
        await apply_consumed(UnitOfWork(sessions), event, LEDGER)
    return str(person)


def acting(sessions: Sessions, caller: Caller, now: datetime) -> Acting:
    return Acting(UnitOfWork(sessions), LEDGER, CIPHER, caller, now)


async def send(sessions: Sessions, person: str, partner: uuid.UUID, **extra: Any) -> str:
    referral = NewReferral(person_id=person, partner_id=partner, urgency=Urgency.EMERGENCY,
                           partner_kind=RecipientKind.HOSPITAL, reason=REASON, **extra)  # fmt: skip
    sent = await send_referral(acting(sessions, WORKER, SENT_AT), referral)
    return str(sent.payload["referral_id"])


async def escalations(sessions: Sessions) -> list[dict[str, Any]]:
    async with sessions() as session:
        bodies = await session.scalars(
            select(outbox.c.body)
            .where(outbox.c.event_type == "referral.escalated")
            .order_by(outbox.c.id)
        )
        return [json.loads(body)["payload"] for body in bodies]


async def sweep(sessions: Sessions, after: timedelta) -> list[str]:
    found = await escalate_referrals(UnitOfWork(sessions), LEDGER, SENT_AT + after)
    return [level.value for _, level in found.escalated]


async def test_an_unanswered_referral_goes_to_the_station_then_the_district_once(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await person_on_file(sessions, consent_to=RecipientKind.HOSPITAL)
    referral_id = await send(sessions, person, uuid.uuid4())

    assert await sweep(sessions, timedelta(hours=1, minutes=59)) == []
    assert await sweep(sessions, timedelta(hours=2, minutes=1)) == ["station"]
    assert await sweep(sessions, timedelta(hours=3)) == []
    assert await sweep(sessions, timedelta(hours=4, minutes=1)) == ["district"]
    assert await sweep(sessions, timedelta(days=3)) == []

    station, district = await escalations(sessions)
    assert station["level"] == "station" and station["escalated_to"] == "420704001"
    assert district["level"] == "district" and district["escalated_to"] == "420704"
    assert station["deadline"] == "response" and station["referral_id"] == referral_id
    async with sessions() as session:
        referral = await session.get(ReferralRecord, referral_id)
        assert referral is not None and referral.escalated == "district"
        steps = (await session.scalars(select(ReferralStepRecord.event_type))).all()
    assert sorted(steps) == ["referral.escalated", "referral.escalated", "referral.sent"]


async def test_a_sweep_run_late_tells_both_levels_at_once(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await person_on_file(sessions, consent_to=RecipientKind.ANY)
    await send(sessions, person, uuid.uuid4())
    assert await sweep(sessions, timedelta(days=1)) == ["station", "district"]
    assert await sweep(sessions, timedelta(days=2)) == []


async def test_a_referral_accepted_in_time_is_not_escalated_until_it_is_late_to_finish(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await person_on_file(sessions, consent_to=RecipientKind.HOSPITAL)
    partner = uuid.uuid4()
    referral_id = await send(sessions, person, partner)
    hospital = Caller(subject=str(partner), role=Role.PARTNER, region="420700")
    accepted = await accept_referral(
        acting(sessions, hospital, SENT_AT + timedelta(hours=1)), uuid.UUID(referral_id)
    )
    for later in (timedelta(hours=3), timedelta(hours=5), timedelta(days=1)):
        assert await sweep(sessions, later) == []
    # Emergency: two working days to finish, from Tuesday 11:00 to Thursday 11:00.
    assert accepted.payload["complete_by"].startswith("2026-11-19T03:00:00")
    assert await sweep(sessions, timedelta(days=2, hours=1, minutes=1)) == ["station"]
    [late] = await escalations(sessions)
    assert late["deadline"] == "completion"


async def test_nothing_is_shared_without_consent_or_a_statutory_ground(
    migrated_database: MigratedDatabase,
) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await person_on_file(sessions, consent_to=RecipientKind.POLICE)
    with pytest.raises(Refused) as refused:
        await send(sessions, person, uuid.uuid4())
    assert refused.value.field == "consent"
    assert "data_sharing_with_partners" in str(refused.value) and "hospital" in str(refused.value)

    note = "老人昏迷在家，需立即送医"
    referral_id = await send(
        sessions, person, uuid.uuid4(),
        legal_basis=StatutoryGround.EMERGENCY_TO_PROTECT_LIFE_OR_HEALTH, legal_basis_note=note,
    )  # fmt: skip
    async with sessions() as session:
        referral = await session.get(ReferralRecord, referral_id)
        body = await session.scalar(
            select(outbox.c.body).where(outbox.c.event_type == "referral.sent")
        )
    assert referral is not None and referral.legal_basis == "emergency_to_protect_life_or_health"
    assert referral.legal_basis_note is not None
    assert CIPHER.decrypt(referral.legal_basis_note, "ledger_referrals.legal_basis_note") == note
    assert body is not None and note not in body and REASON not in body


async def test_only_the_partner_addressed_answers(migrated_database: MigratedDatabase) -> None:
    sessions = await migrated_database("ledger", MIGRATIONS)
    person = await person_on_file(sessions, consent_to=RecipientKind.HOSPITAL)
    referral_id = uuid.UUID(await send(sessions, person, uuid.uuid4()))
    other = Caller(subject=str(uuid.uuid4()), role=Role.PARTNER, region="420700")
    for caller in (other, WORKER):
        with pytest.raises(Forbidden):
            await accept_referral(acting(sessions, caller, SENT_AT), referral_id)
