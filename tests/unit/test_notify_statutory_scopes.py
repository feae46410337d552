"""Where a statutory ground lets an agreement share without consent, and where it is
refused: by partner kind, by event type, and for a child at risk only."""

import pytest

from wushe.notify.domain.statutory import SCOPES, ground_applies, refusal
from wushe.shared.events.referrals import StatutoryGround

MANDATORY_REPORT = StatutoryGround.CHILD_PROTECTION_MANDATORY_REPORT
EMERGENCY = StatutoryGround.EMERGENCY_TO_PROTECT_LIFE_OR_HEALTH
REQUEST = StatutoryGround.COURT_OR_POLICE_REQUEST
PERSON_EVENTS = ["person.registered", "person.group_joined"]


def test_every_ground_has_a_scope() -> None:
    assert set(SCOPES) == set(StatutoryGround)


@pytest.mark.parametrize(
    ("ground", "kind", "event_types", "field"),
    [
        (MANDATORY_REPORT, "volunteer_team", ["person.registered"], "statutory_ground"),
        (MANDATORY_REPORT, "court", ["person.registered"], "statutory_ground"),
        (MANDATORY_REPORT, "womens_federation", ["person.registered"], "statutory_ground"),
        (MANDATORY_REPORT, "police", ["crisis.reported"], "event_types"),
        (MANDATORY_REPORT, "police", ["person.registered", "visit.overdue"], "event_types"),
        (EMERGENCY, "volunteer_team", ["crisis.reported"], "statutory_ground"),
        (EMERGENCY, "hospital", ["person.registered"], "event_types"),
        (
            StatutoryGround.COURT_OR_POLICE_REQUEST,
            "police",
            ["crisis.reported"],
            "statutory_ground",
        ),
    ],
)
def test_a_ground_is_refused_outside_its_reach(
    ground: StatutoryGround, kind: str, event_types: list[str], field: str
) -> None:
    refused = refusal(ground, kind, event_types)
    assert refused is not None and refused.field == field


@pytest.mark.parametrize(
    ("ground", "kind", "event_types"),
    [
        (
            MANDATORY_REPORT,
            "child_protection_station",
            ["person.registered", "person.group_joined"],
        ),
        (MANDATORY_REPORT, "police", ["person.registered"]),
        (MANDATORY_REPORT, "procuratorate", ["person.group_joined"]),
        (EMERGENCY, "hospital", ["crisis.reported"]),
        (EMERGENCY, "station", ["crisis.reported"]),
    ],
)
def test_a_ground_is_accepted_within_its_reach(
    ground: StatutoryGround, kind: str, event_types: list[str]
) -> None:
    assert refusal(ground, kind, event_types) is None


def test_the_mandatory_report_covers_a_child_at_risk_only() -> None:
    station = "child_protection_station"
    assert ground_applies(MANDATORY_REPORT, station, "person.registered",
                          {"groups": ["elderly_living_alone", "child_left_behind"]})  # fmt: skip
    assert ground_applies(MANDATORY_REPORT, station, "person.group_joined",
                          {"group": "child_orphan", "groups": ["child_orphan"]})  # fmt: skip
    assert not ground_applies(MANDATORY_REPORT, station, "person.registered",
                              {"groups": ["child_disabled"]})  # fmt: skip
    # The joining is about the group joined, not the groups the child already had.
    joined_disabled = {"group": "child_disabled", "groups": ["child_orphan", "child_disabled"]}
    assert not ground_applies(MANDATORY_REPORT, station, "person.group_joined", joined_disabled)
    assert not ground_applies(MANDATORY_REPORT, "volunteer_team", "person.registered",
                              {"groups": ["child_orphan"]})  # fmt: skip
    assert ground_applies(EMERGENCY, "police", "crisis.reported", {"crisis_kind": "missing"})
    assert not ground_applies(EMERGENCY, "police", "person.registered", {"groups": []})
