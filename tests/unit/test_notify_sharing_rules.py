"""Notify's sharing and rule logic, without a database: the shared vocabulary of partner
kinds, default deny of personal fields, consent over time, the governing agreement,
regional settings, quiet hours across midnight and the daily digest's moment."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from wushe.notify.domain.agreement import Agreement, governing_agreement
from wushe.notify.domain.consent import Consent, consent_for
from wushe.notify.domain.field_policy import open_sealed, split_fields
from wushe.notify.domain.quiet_hours import QuietHours, latest_digest_time
from wushe.notify.domain.rules import BUILT_IN, RegionalSetting, rule_for_region
from wushe.shared.events.consent import ProcessingPurpose, RecipientKind
from wushe.shared.events.partner_kinds import PartnerKind
from wushe.shared.field_encryption import FieldCipher

SHARING = ProcessingPurpose.DATA_SHARING_WITH_PARTNERS
CIPHER = FieldCipher({"k1": b"\x01" * 32}, "k1")


def test_consents_name_the_same_kinds_of_partner_as_the_registry() -> None:
    assert {k.value for k in RecipientKind} == {"any", *(k.value for k in PartnerKind)}
    assert RecipientKind("child_protection_station") == PartnerKind.CHILD_PROTECTION_STATION


def test_a_field_an_event_type_does_not_declare_harmless_is_personal() -> None:
    payload = {"need_id": "n1", "kind": "tutoring", "person_id": "p1", "added_later": "x"}
    fields = split_fields("need.posted", payload)
    assert set(fields.non_personal) == {"need_id", "kind", "person_id"}
    assert fields.personal_names() == {"added_later"}
    unknown = split_fields("some.future_event", {"count": 3})
    assert unknown.non_personal == {} and unknown.personal_names() == {"count"}


def test_a_sealed_field_is_opened_only_when_allowed() -> None:
    sealed = CIPHER.encrypt("王小明", "partner_alert.full_name")
    fields = split_fields("person.registered", {"full_name_sealed": sealed, "groups": ["x"]})
    assert fields.personal_names() == {"full_name", "groups"}
    kept = fields.allowed(frozenset({"full_name"}))
    assert kept == {"full_name_sealed": sealed}
    assert open_sealed(kept, CIPHER) == {"full_name": "王小明"}
    assert open_sealed(fields.allowed(frozenset({"groups"})), CIPHER) == {"groups": ["x"]}
    assert fields.allowed(frozenset()) == {}
    digest = {"items": [{"data": kept}, {"data": {"groups": ["x"]}}]}
    assert open_sealed(digest, CIPHER) == {
        "items": [{"data": {"full_name": "王小明"}}, {"data": {"groups": ["x"]}}]
    }


POLICE_CONSENT = Consent(
    consent_id="c1",
    purpose=SHARING,
    recipient_kind=RecipientKind.POLICE,
    valid_from=date(2026, 1, 1),
    valid_until=date(2026, 12, 31),
    revoked_on=None,
)


def consent(**changes: Any) -> Consent:
    return replace(POLICE_CONSENT, **changes)


def test_consent_holds_for_its_purpose_kind_and_days_until_revoked() -> None:
    day = date(2026, 6, 1)
    assert consent().allows(SHARING, "police", day)
    assert not consent().allows(ProcessingPurpose.PUBLICITY, "police", day)
    assert not consent().allows(SHARING, "hospital", day)
    assert consent(recipient_kind=RecipientKind.ANY).allows(SHARING, "hospital", day)
    assert not consent().allows(SHARING, "police", date(2027, 1, 1)), "expired"
    assert not consent().allows(SHARING, "police", date(2025, 12, 31)), "not yet"
    revoked = consent(revoked_on=day)
    assert revoked.allows(SHARING, "police", day - timedelta(days=1))
    assert not revoked.allows(SHARING, "police", day), "revoked from that day"
    assert consent_for([revoked, consent(consent_id="c2")], SHARING, "police", day) == consent(
        consent_id="c2"
    )


def test_the_agreement_giving_most_of_the_offered_fields_governs() -> None:
    def agreement(agreement_id: str, fields: set[str], until: date | None = None) -> Agreement:
        return Agreement(agreement_id, SHARING, frozenset({"crisis.reported"}),
                         frozenset(fields), date(2026, 1, 1), until)  # fmt: skip

    narrow, wide = agreement("a", {"person_id"}), agreement("b", {"person_id", "full_name"})
    expired = agreement("c", {"person_id", "full_name", "address"}, until=date(2026, 3, 1))
    offered = frozenset({"person_id", "full_name", "address"})
    chosen = governing_agreement(
        [narrow, wide, expired], "crisis.reported", date(2026, 6, 1), offered
    )
    assert chosen == wide
    assert governing_agreement([wide], "visit.overdue", date(2026, 6, 1), offered) is None


def test_the_most_specific_region_setting_wins() -> None:
    rule = BUILT_IN["visit_overdue"]

    def setting(region: str, minutes: int, enabled: bool = True) -> RegionalSetting:
        return RegionalSetting("visit_overdue", region, enabled, None, minutes, None)

    settings = [setting("420000", 600), setting("420704", 60), setting("420703", 30, False)]
    assert rule_for_region(rule, "420704001003", settings).rule.escalate_after == timedelta(hours=1)
    assert rule_for_region(rule, "420105", settings).rule.escalate_after == timedelta(hours=10)
    assert not rule_for_region(rule, "420703001", settings).rule.enabled
    assert rule_for_region(rule, "110101", settings).rule == rule


def test_quiet_hours_across_midnight_release_at_their_end_in_china_time() -> None:
    quiet = QuietHours(time(22, 0), time(7, 0))
    late = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)  # 23:30 in China
    early = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # 06:00 the next day in China
    noon = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
    assert quiet.contains(late) and quiet.contains(early) and not quiet.contains(noon)
    assert quiet.release(late) == quiet.release(early) == datetime(2026, 11, 24, 23, tzinfo=UTC)
    assert quiet.release(noon) == noon
    lunch = QuietHours(time(12, 0), time(14, 0))
    assert lunch.release(noon) == datetime(2026, 11, 24, 6, tzinfo=UTC)


def test_the_digest_falls_due_once_a_day_at_its_time() -> None:
    at = time(8, 0)
    before = datetime(2026, 11, 24, 23, 59, tzinfo=UTC)  # 07:59 on the 25th in China
    assert latest_digest_time(at, before) == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert latest_digest_time(at, before + timedelta(minutes=1)) == before + timedelta(minutes=1)
