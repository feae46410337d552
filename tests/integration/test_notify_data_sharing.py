"""Data-sharing agreements and consent decide which personal fields reach a partner, on
SQLite and PostgreSQL: default deny, consent revoked withholds, informational alerts go
unsent without consent, sealed fields are opened only for a partner allowed to see them,
and the sharing ledger says who received what about whom."""

import json
import uuid
from datetime import date

from integration.conftest import MigratedDatabase
from integration.notify_routing_support import INTAKE, MIGRATIONS, VILLAGE, Notify, fields_beyond
from wushe.notify.adapters.orm import SubscriptionRecord
from wushe.shared.events import new_event
from wushe.shared.events.consent import RecipientKind
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.events.ledger import LedgerFileOpened
from wushe.shared.events.visits import CrisisKind, CrisisReported
from wushe.shared.field_encryption import partner_alert_context
from wushe.shared.unit_of_work import UnitOfWork


def crisis(person: str, kind: CrisisKind = CrisisKind.MISSING) -> CrisisReported:
    return CrisisReported(
        visit_id=uuid.uuid4(), person_id=uuid.UUID(person), crisis_kind=kind,
        found_on=date(2026, 11, 24),
    )  # fmt: skip


async def test_a_partner_receives_only_the_fields_its_agreement_allows(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    police = await notify.partner("police")
    station = await notify.partner("station")
    agreement = await notify.agreement(police, ["crisis.reported"], ["crisis_kind"])
    person = str(uuid.uuid4())
    consent = await notify.consent(person, RecipientKind.POLICE)

    await notify.route(crisis(person), subject=person)

    [to_police] = await notify.bodies(police)
    [to_station] = await notify.bodies(station)
    assert to_police["data"]["crisis_kind"] == "missing"
    assert to_police["data"]["rule"] == "crisis_reported"
    assert fields_beyond(to_police, {"crisis_kind"}) == set()
    assert fields_beyond(to_station, set()) == set()
    # Without an agreement: that a crisis concerns this person, by id, and nothing of it.
    assert to_station["data"]["person_id"] == person == to_station["data"]["subject"]
    assert "crisis_kind" not in to_station["data"] and "missing" not in json.dumps(to_station)

    lines = {line.partner_id: line for line in await notify.ledger_lines(person)}
    assert lines[police].fields_shared == ["crisis_kind"]
    assert (lines[police].agreement_id, lines[police].consent_id) == (agreement, consent)
    assert lines[station].fields_shared == [] and lines[station].fields_withheld == ["crisis_kind"]
    assert lines[station].withheld_because == "no_agreement"


async def test_consent_revoked_or_for_another_kind_sends_the_alert_without_personal_fields(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    police = await notify.partner("police")
    await notify.agreement(police, ["crisis.reported"], ["crisis_kind"])
    person, other = str(uuid.uuid4()), str(uuid.uuid4())
    consent = await notify.consent(person, RecipientKind.POLICE)
    await notify.consent(other, RecipientKind.HOSPITAL)

    await notify.route(crisis(person), subject=person)
    await notify.consent(
        person, RecipientKind.POLICE, revoked_on=date(2026, 11, 24), consent_id=consent
    )
    await notify.route(crisis(person, CrisisKind.ABUSE), subject=person)
    await notify.route(crisis(other), subject=other)

    before, after, elsewhere = await notify.bodies(police)
    assert before["data"]["crisis_kind"] == "missing"
    for body in (after, elsewhere):
        assert "crisis_kind" not in body["data"]
        assert fields_beyond(body, set()) == set()
    assert "abuse" not in json.dumps(after) and "missing" not in json.dumps(elsewhere)
    last = (await notify.ledger_lines(person))[-1]
    assert last.fields_withheld == ["crisis_kind"] and last.withheld_because == "no_consent"


async def test_an_informational_alert_is_not_sent_when_consent_withholds_its_fields(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    bureau = await notify.partner("civil_affairs_bureau")
    async with notify.sessions() as session, session.begin():
        session.add(SubscriptionRecord(
            id=str(uuid.uuid4()), partner_id=bureau, event_type="ledger.file_opened",
            region_code="420704",
        ))  # fmt: skip
    await notify.agreement(bureau, ["ledger.file_opened"], ["groups"])
    consenting, silent = str(uuid.uuid4()), str(uuid.uuid4())
    await notify.consent(consenting, RecipientKind.ANY)

    for person in (consenting, silent):
        opened = LedgerFileOpened(file_id=uuid.uuid4(), person_id=uuid.UUID(person),
                                  region_code=VILLAGE, groups=["elderly_living_alone"])  # fmt: skip
        await notify.route(opened, subject=person)

    [body] = await notify.bodies(bureau)
    assert body["data"]["person_id"] == consenting
    assert body["data"]["groups"] == ["elderly_living_alone"]
    assert body["data"]["reason"] == "subscription"
    assert await notify.ledger_lines(silent) == []


async def test_a_sealed_name_is_opened_only_for_a_partner_allowed_to_see_it(
    migrated_database: MigratedDatabase,
) -> None:
    notify = Notify(await migrated_database("notify", MIGRATIONS))
    allowed = await notify.partner("child_protection_station")
    not_allowed = await notify.partner("child_protection_station")
    await notify.agreement(allowed, ["person.registered"], ["full_name", "groups"])
    await notify.agreement(not_allowed, ["person.registered"], ["groups"])
    person = str(uuid.uuid4())
    await notify.consent(person, RecipientKind.CHILD_PROTECTION_STATION)
    sealed = notify.cipher.encrypt("王小明", partner_alert_context("full_name"))
    registered = PersonRegistered(person_id=uuid.UUID(person), residence_region=VILLAGE,
                                  station_region=VILLAGE[:9], groups=["child_in_difficulty"],
                                  age_band="6-17")  # fmt: skip
    # A producer adds the sealed name beside the registered fields (an optional field).
    event = new_event(registered, subject=person, region_code=VILLAGE, producer=INTAKE)
    with_name = event.model_copy(update={"payload": event.payload | {"full_name_sealed": sealed}})
    await notify.router.route(UnitOfWork(notify.sessions), with_name)

    [seen] = await notify.bodies(allowed)
    [unseen] = await notify.bodies(not_allowed)
    assert seen["data"]["full_name"] == "王小明" and "full_name_sealed" not in seen["data"]
    assert fields_beyond(seen, {"full_name", "groups"}) == set()
    assert fields_beyond(unseen, {"groups"}) == set()
    assert unseen["data"]["groups"] == ["child_in_difficulty"]
    assert "王小明" not in json.dumps(unseen, ensure_ascii=False)
    assert sealed not in json.dumps(unseen) and "age_band" not in unseen["data"]
    lines = {line.partner_id: line for line in await notify.ledger_lines(person)}
    assert lines[allowed].fields_shared == ["full_name", "groups"]
    assert lines[not_allowed].fields_withheld == [
        "age_band", "full_name", "household_region", "residence_region", "sex"
    ]  # fmt: skip
    assert lines[not_allowed].withheld_because == "not_in_agreement"
