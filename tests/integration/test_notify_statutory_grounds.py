"""Agreements naming a statutory ground share their fields without consent, on SQLite and
PostgreSQL, only where the ground reaches: a child at risk's sealed name goes to the
child-protection station on the registration alert, with no consent and after one was
revoked; a disabled child's registration, another partner kind or another event falls
back to consent; the sharing ledger names the ground instead of a consent."""

import json
import uuid
from datetime import date

from integration.conftest import MigratedDatabase
from integration.notify_routing_support import INTAKE, MIGRATIONS, VILLAGE, Notify, fields_beyond
from wushe.notify.adapters.orm import SubscriptionRecord
from wushe.shared.events import EventEnvelope, new_event
from wushe.shared.events.consent import RecipientKind
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.events.referrals import StatutoryGround
from wushe.shared.events.visits import CrisisKind, CrisisReported
from wushe.shared.field_encryption import partner_alert_context
from wushe.shared.unit_of_work import UnitOfWork

MANDATORY_REPORT = StatutoryGround.CHILD_PROTECTION_MANDATORY_REPORT
EMERGENCY = StatutoryGround.EMERGENCY_TO_PROTECT_LIFE_OR_HEALTH
NAME = "周小满"
PERSON_EVENTS = ["person.registered", "person.group_joined"]


async def register(notify: Notify, person: str, groups: list[str]) -> EventEnvelope:
    """A registration with the name sealed for notify, as intake sends a child at risk's."""
    registered = PersonRegistered(person_id=uuid.UUID(person), residence_region=VILLAGE,
                                  station_region=VILLAGE[:9], groups=groups,
                                  age_band="6-17")  # fmt: skip
    event = new_event(registered, subject=person, region_code=VILLAGE, producer=INTAKE)
    sealed = {"name_sealed": notify.cipher.encrypt(NAME, partner_alert_context("name"))}
    with_name = event.model_copy(update={"payload": event.payload | sealed})
    await notify.router.route(UnitOfWork(notify.sessions), with_name)
    return with_name


async def test_a_mandatory_report_carries_a_child_at_risks_name_without_consent(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    station = await notify.partner("child_protection_station")
    agreement = await notify.agreement(
        station, PERSON_EVENTS, ["name", "groups"], statutory_ground=MANDATORY_REPORT
    )
    volunteers = await notify.partner("volunteer_team")
    async with notify.sessions() as session, session.begin():
        session.add(SubscriptionRecord(
            id=str(uuid.uuid4()), partner_id=volunteers, event_type="person.registered",
            region_code="420704",
        ))  # fmt: skip
    unconsented, revoked, disabled = (str(uuid.uuid4()) for _ in range(3))
    consent = await notify.consent(revoked, RecipientKind.ANY)
    await notify.consent(revoked, RecipientKind.ANY, revoked_on=date(2026, 11, 1),
                         consent_id=consent)  # fmt: skip

    await register(notify, unconsented, ["child_left_behind"])
    await register(notify, revoked, ["child_orphan"])
    # A disabled child's group alone does not make the report mandatory: consent decides.
    await register(notify, disabled, ["child_disabled"])

    bodies = {body["data"]["person_id"]: body for body in await notify.bodies(station)}
    for person in (unconsented, revoked):
        assert bodies[person]["data"]["name"] == NAME
        assert fields_beyond(bodies[person], {"name", "groups"}) == set()
        lines = {line.partner_id: line for line in await notify.ledger_lines(person)}
        line = lines[station]
        assert line.fields_shared == ["groups", "name"]
        assert (line.agreement_id, line.consent_id) == (agreement, None)
        assert line.statutory_ground == MANDATORY_REPORT.value
        assert lines[volunteers].fields_shared == [] and lines[volunteers].statutory_ground is None
    assert not {"name", "groups"} & set(bodies[disabled]["data"])
    line = {line.partner_id: line for line in await notify.ledger_lines(disabled)}[station]
    assert line.statutory_ground is None and line.withheld_because == "no_consent"
    to_volunteers = await notify.bodies(volunteers)
    assert len(to_volunteers) == 3
    for body in to_volunteers:
        assert fields_beyond(body, set()) == set()
        assert NAME not in json.dumps(body, ensure_ascii=False)
    for body in [*bodies.values(), *to_volunteers]:
        assert "_sealed" not in json.dumps(body)
    stored = await notify.stored_bodies(station)
    assert len(stored) == len(bodies)
    assert NAME not in json.dumps(stored, ensure_ascii=False)  # sealed at rest


async def test_an_emergency_shares_a_crisis_with_the_police_but_not_a_registration(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    police = await notify.partner("police")
    await notify.agreement(police, ["crisis.reported"], ["crisis_kind"], statutory_ground=EMERGENCY)
    person = str(uuid.uuid4())
    crisis = CrisisReported(
        visit_id=uuid.uuid4(), person_id=uuid.UUID(person), crisis_kind=CrisisKind.MISSING,
        found_on=date(2026, 11, 24),
    )  # fmt: skip
    await notify.route(crisis, subject=person)

    [body] = await notify.bodies(police)
    assert body["data"]["crisis_kind"] == "missing"
    assert fields_beyond(body, {"crisis_kind"}) == set()
    lines = {line.partner_id: line for line in await notify.ledger_lines(person)}
    assert lines[police].statutory_ground == EMERGENCY.value
    assert lines[police].consent_id is None


async def test_without_consent_the_agreement_under_the_ground_governs_beside_a_wider_one(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    station = await notify.partner("child_protection_station")
    wider = await notify.agreement(station, PERSON_EVENTS, ["name", "groups", "age_band"])
    by_law = await notify.agreement(
        station, ["person.registered"], ["name"], statutory_ground=MANDATORY_REPORT
    )
    consenting, unconsented = str(uuid.uuid4()), str(uuid.uuid4())
    consent = await notify.consent(consenting, RecipientKind.CHILD_PROTECTION_STATION)

    await register(notify, consenting, ["child_unattended"])
    await register(notify, unconsented, ["child_unattended"])

    bodies = {body["data"]["person_id"]: body for body in await notify.bodies(station)}
    assert fields_beyond(bodies[consenting], {"name", "groups", "age_band"}) == set()
    assert bodies[consenting]["data"]["age_band"] == "6-17"
    assert bodies[unconsented]["data"]["name"] == NAME
    assert fields_beyond(bodies[unconsented], {"name"}) == set()
    [under_consent] = await notify.ledger_lines(consenting)
    assert (under_consent.agreement_id, under_consent.consent_id) == (wider, consent)
    assert under_consent.statutory_ground is None
    [under_law] = await notify.ledger_lines(unconsented)
    assert (under_law.agreement_id, under_law.consent_id) == (by_law, None)
    assert under_law.statutory_ground == MANDATORY_REPORT.value
    assert under_law.fields_shared == ["name"] and "groups" in under_law.fields_withheld
