"""Notify's sharing API in process on SQLite and PostgreSQL: a partner's profile keeps its
contacts sealed, refusals name the field, subscriptions narrow to groups, rules are set
per region, a statutory ground is refused where it does not reach, and the sharing ledger
answers per person within the caller's region, naming a statutory ground it shared under."""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from integration.conftest import MigratedDatabase
from integration.in_process_api import serving
from integration.notify_routing_support import MIGRATIONS, VILLAGE, Notify
from wushe.notify.adapters.sharing_orm import PartnerProfileRecord
from wushe.notify.entrypoints.http import router as partners_router
from wushe.notify.entrypoints.sharing_http import router as sharing_router
from wushe.shared.auth import Role, mint_token
from wushe.shared.events.consent import RecipientKind
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.events.visits import CrisisKind, CrisisReported, VisitOverdue
from wushe.shared.runtime import ServiceRuntime


class Api:
    def __init__(self, client: httpx.AsyncClient, runtime: ServiceRuntime) -> None:
        self.client = client
        self.runtime = runtime
        self.notify = Notify(runtime.sessions)

    def as_(self, role: Role = Role.ADMIN, region: str = "420704") -> dict[str, str]:
        token = mint_token(
            self.runtime.settings, subject=f"test-{role.value}", role=role, region=region
        )
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        expect: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Any:
        response = await self.client.request(method, path, json=body, headers=headers or self.as_())
        assert response.status_code == expect, response.text
        return response.json()

    async def partner(self, kind: str) -> str:
        created = await self.call(
            "POST",
            "/partners",
            {
                "name": f"{kind}-{uuid.uuid4().hex[:6]}",
                "kind": kind,
                "regions": ["420704"],
                "webhook_url": "https://partner.example/hooks",
            },
            expect=201,
        )
        return str(created["partner_id"])


@pytest.fixture
async def api(migrated_database: MigratedDatabase, tmp_path: Path) -> AsyncIterator[Api]:
    sessions = await migrated_database("notify", MIGRATIONS)
    routers = (partners_router, sharing_router)
    async with serving("notify", MIGRATIONS, sessions, routers, tmp_path) as (client, runtime):
        yield Api(client, runtime)


def refused_field(answer: Any) -> Any:
    return answer["detail"][0]["loc"][-1]


async def test_a_partners_contacts_are_sealed_and_its_channels_shown(api: Api) -> None:
    partner = await api.partner("police")
    profile = {
        "contacts": [{"name": "张警官", "role": "值班民警", "phone": "13800001111"}],
        "email": "duty@police.example",
        "sms_number": "13800002222",
        "quiet_from": "22:00",
        "quiet_until": "07:00",
        "digest_at": "08:00",
    }
    await api.call("PUT", f"/partners/{partner}/profile", profile)
    shown = await api.call("GET", f"/partners/{partner}/profile")
    assert shown["contacts"][0]["name"] == "张警官" and shown["quiet_from"] == "22:00:00"
    async with api.runtime.sessions() as session:
        stored = await session.scalar(
            select(PartnerProfileRecord.contacts_sealed).where(
                PartnerProfileRecord.partner_id == partner
            )
        )
    assert stored and "张警官" not in stored and "13800001111" not in stored
    channels = await api.call("GET", f"/partners/{partner}/channels")
    assert (channels["email"], channels["sms_number"]) == ("duty@police.example", "13800002222")
    assert channels["webhook_url"] == "https://partner.example/hooks"

    wrong_number = await api.call(
        "PUT", f"/partners/{partner}/profile", {"sms_number": "12345"}, expect=422
    )
    assert refused_field(wrong_number) == "sms_number"
    half_quiet = await api.call(
        "PUT", f"/partners/{partner}/profile", {"quiet_from": "22:00"}, expect=422
    )
    assert "quiet_from and quiet_until" in str(half_quiet)
    outsider = api.as_(region="420703")
    await api.call("GET", f"/partners/{partner}/profile", expect=403, headers=outsider)


async def test_agreements_are_refused_with_the_field_to_correct(api: Api) -> None:
    partner = await api.partner("child_protection_station")
    agreement = {
        "reference": "鄂民〔2026〕12号",
        "event_types": ["person.registered"],
        "fields": ["person_id", "full_name"],
        "valid_from": "2026-01-01",
    }
    unknown = await api.call(
        "POST",
        f"/partners/{partner}/agreements",
        agreement | {"event_types": ["person.teleported"]},
        expect=422,
    )
    assert refused_field(unknown) == "event_types" and "person.teleported" in str(unknown)
    bad_name = await api.call(
        "POST", f"/partners/{partner}/agreements", agreement | {"fields": ["Full Name"]}, expect=422
    )
    assert refused_field(bad_name) == "fields"
    backwards = await api.call(
        "POST",
        f"/partners/{partner}/agreements",
        agreement | {"valid_until": "2025-12-31"},
        expect=422,
    )
    assert "valid_until is before valid_from" in str(backwards)
    created = await api.call("POST", f"/partners/{partner}/agreements", agreement, expect=201)
    assert created["fields"] == ["full_name", "person_id"]
    assert created["purpose"] == "data_sharing_with_partners"
    listed = await api.call("GET", f"/partners/{partner}/agreements")
    assert [a["agreement_id"] for a in listed] == [created["agreement_id"]]


async def test_a_subscription_narrowed_to_groups_hears_only_of_those(api: Api) -> None:
    partner = await api.partner("womens_federation")
    subscription = await api.call(
        "POST",
        f"/partners/{partner}/subscriptions",
        {
            "event_type": "person.registered",
            "region_code": "420704",
            "groups": ["child_left_behind", "child_orphan"],
        },
        expect=201,
    )
    assert subscription["groups"] == ["child_left_behind", "child_orphan"]
    unknown_group = await api.call(
        "POST",
        f"/partners/{partner}/subscriptions",
        {
            "event_type": "person.registered",
            "region_code": "420704",
            "groups": ["astronauts"],
        },
        expect=422,
    )
    assert unknown_group["detail"][0]["loc"][:3] == ["body", "groups", 0]

    for groups in (["elderly_living_alone"], ["child_orphan"]):
        person = uuid.uuid4()
        registered = PersonRegistered(
            person_id=person, residence_region=VILLAGE, station_region=VILLAGE[:9], groups=groups
        )
        await api.notify.route(registered, subject=str(person))
    [alert] = await api.notify.alerts(partner)
    assert alert.body["data"]["reason"] == "subscription"
    assert "groups" not in alert.body["data"], "no agreement: not even the groups it asked for"


async def test_rules_are_set_per_region(api: Api) -> None:
    rules = await api.call("GET", "/rules?region=420704")
    assert {r["rule"] for r in rules} >= {
        "crisis_reported",
        "child_in_difficulty",
        "visit_overdue",
        "fund_managers",
    }
    overdue = next(r for r in rules if r["rule"] == "visit_overdue")
    assert (overdue["escalate_to"], overdue["escalate_after_minutes"]) == ("station", 24 * 60)

    unknown = await api.call("PUT", "/rules/visit_late/regions/420704", {}, expect=404)
    assert "visit_late" in unknown["detail"]
    no_escalation = await api.call(
        "PUT", "/rules/crisis_reported/regions/420704", {"escalate_after_minutes": 30}, expect=422
    )
    assert refused_field(no_escalation) == "escalate_after_minutes"
    await api.call(
        "PUT",
        "/rules/visit_overdue/regions/420704",
        {"escalate_after_minutes": 90},
        expect=403,
        headers=api.as_(Role.STATION_STAFF),
    )
    await api.call("PUT", "/rules/visit_overdue/regions/420704", {"escalate_after_minutes": 90})
    township = await api.call("GET", "/rules?region=420704001")
    overdue = next(r for r in township if r["rule"] == "visit_overdue")
    assert (overdue["escalate_after_minutes"], overdue["set_by_region"]) == (90, "420704")
    elsewhere = await api.call("GET", "/rules?region=420703", headers=api.as_(region="420703"))
    assert next(r for r in elsewhere if r["rule"] == "visit_overdue")["set_by_region"] is None
    quiet = await api.call(
        "PUT",
        "/regions/420704/quiet-hours",
        {"quiet_from": "25:00", "quiet_until": "07:00"},
        expect=422,
    )
    assert refused_field(quiet) == "quiet_from"


async def test_the_sharing_ledger_answers_per_person_within_the_callers_region(api: Api) -> None:
    police = await api.partner("police")
    station = await api.partner("station")
    await api.notify.agreement(police, ["crisis.reported"], ["crisis_kind"])
    person = str(uuid.uuid4())
    consent = await api.notify.consent(person, RecipientKind.POLICE)
    crisis = CrisisReported(
        visit_id=uuid.uuid4(),
        person_id=uuid.UUID(person),
        crisis_kind=CrisisKind.MISSING,
        found_on=date(2026, 11, 24),
    )
    await api.notify.route(crisis, subject=person)

    lines = await api.call("GET", f"/persons/{person}/sharing", headers=api.as_(Role.AUDITOR))
    by_partner = {line["partner_id"]: line for line in lines}
    assert by_partner[police]["fields_shared"] == ["crisis_kind"]
    assert by_partner[police]["consent_id"] == consent
    assert by_partner[station]["fields_withheld"] == ["crisis_kind"]
    assert by_partner[station]["withheld_because"] == "no_agreement"
    outside = await api.call("GET", f"/persons/{person}/sharing", headers=api.as_(region="420703"))
    assert outside == []
    await api.call("GET", f"/persons/{person}/sharing", expect=403, headers=api.as_(Role.VOLUNTEER))


async def test_the_ledger_names_the_digest_that_carried_an_alert(api: Api) -> None:
    volunteers = await api.partner("volunteer_team")
    await api.call("PUT", f"/partners/{volunteers}/profile", {"digest_at": "08:00"})
    person = str(uuid.uuid4())
    overdue = VisitOverdue(
        person_id=uuid.UUID(person),
        due_on=date(2026, 11, 20),
        interval_days=7,
        detected_on=date(2026, 11, 24),
        notified_level="volunteer_team",
    )
    await api.notify.route(overdue, subject=person)
    [waiting] = await api.call("GET", f"/persons/{person}/sharing")
    assert waiting["digest_alert_id"] is None
    api.notify.clock.advance(days=1)
    assert await api.notify.sweeper.send_digests() == 1
    [carried] = await api.call("GET", f"/persons/{person}/sharing")
    [digest] = await api.notify.alerts(volunteers)
    assert carried["digest_alert_id"] == digest.id and digest.event_type == "digest.daily"


async def test_a_statutory_ground_is_refused_where_it_does_not_reach(api: Api) -> None:
    station = await api.partner("child_protection_station")
    volunteers = await api.partner("volunteer_team")
    report = {
        "reference": "鄂民〔2026〕31号",
        "event_types": ["person.registered", "person.group_joined"],
        "fields": ["name", "address"],
        "valid_from": "2026-01-01",
        "statutory_ground": "child_protection_mandatory_report",
        "statutory_note": "《中华人民共和国未成年人保护法》第十一条 强制报告",
    }
    to_volunteers = await api.call("POST", f"/partners/{volunteers}/agreements", report, expect=422)
    assert refused_field(to_volunteers) == "statutory_ground"
    assert "volunteer_team" in str(to_volunteers)
    on_a_crisis = await api.call(
        "POST",
        f"/partners/{station}/agreements",
        report | {"event_types": ["crisis.reported"]},
        expect=422,
    )
    assert refused_field(on_a_crisis) == "event_types" and "crisis.reported" in str(on_a_crisis)
    on_request = await api.call(
        "POST",
        f"/partners/{station}/agreements",
        report | {"statutory_ground": "court_or_police_request"},
        expect=422,
    )
    assert refused_field(on_request) == "statutory_ground"
    uncited = {k: v for k, v in report.items() if k != "statutory_note"}
    no_note = await api.call("POST", f"/partners/{station}/agreements", uncited, expect=422)
    assert refused_field(no_note) == "statutory_note"

    created = await api.call("POST", f"/partners/{station}/agreements", report, expect=201)
    assert created["statutory_ground"] == "child_protection_mandatory_report"
    [listed] = await api.call("GET", f"/partners/{station}/agreements")
    assert listed["statutory_note"] == report["statutory_note"]


async def test_the_sharing_ledger_names_the_statutory_ground_instead_of_a_consent(
    api: Api,
) -> None:
    station = await api.partner("child_protection_station")
    agreement = await api.call(
        "POST",
        f"/partners/{station}/agreements",
        {
            "reference": "鄂民〔2026〕31号",
            "event_types": ["person.registered"],
            "fields": ["groups"],
            "valid_from": "2026-01-01",
            "statutory_ground": "child_protection_mandatory_report",
            "statutory_note": "《中华人民共和国未成年人保护法》第十一条 强制报告",
        },
        expect=201,
    )
    child, disabled = str(uuid.uuid4()), str(uuid.uuid4())
    for person, groups in ((child, ["child_unattended"]), (disabled, ["child_disabled"])):
        registered = PersonRegistered(
            person_id=uuid.UUID(person), residence_region=VILLAGE, station_region=VILLAGE[:9],
            groups=groups,
        )  # fmt: skip
        await api.notify.route(registered, subject=person)

    [line] = await api.call("GET", f"/persons/{child}/sharing", headers=api.as_(Role.AUDITOR))
    assert line["partner_id"] == station and line["fields_shared"] == ["groups"]
    assert line["statutory_ground"] == "child_protection_mandatory_report"
    assert (line["agreement_id"], line["consent_id"]) == (agreement["agreement_id"], None)
    # A disabled child's group alone is no mandatory report: without consent, nothing.
    [line] = await api.call("GET", f"/persons/{disabled}/sharing")
    assert "groups" in line["fields_withheld"] and line["withheld_because"] == "no_consent"
    assert line["statutory_ground"] is None and line["consent_id"] is None
