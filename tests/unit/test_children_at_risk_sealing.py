"""A child at risk's `person.registered` carries the name and address sealed for notify,
which opens them for a partner allowed to see them; no other person's event carries
them, in clear or sealed."""

import json
from uuid import uuid4

from wushe.intake.adapters.personal_data import PersonalDataVault
from wushe.intake.domain.person import PersonRegistration
from wushe.intake.service_layer.registration import person_values, registered_event
from wushe.notify.domain.field_policy import open_sealed, split_fields
from wushe.shared.auth import Caller, Role
from wushe.shared.events import Producer
from wushe.shared.events.groups import CHILDREN_AT_RISK, TargetGroup
from wushe.shared.events.intake import PersonRegistered
from wushe.shared.field_encryption import FieldCipher

CIPHER = FieldCipher({"k1": b"\x02" * 32}, "k1")
VAULT = PersonalDataVault(CIPHER, "index-key")
CLERK = Caller(subject="clerk", role=Role.STATION_STAFF, region="420704")
PRODUCER = Producer(service="intake", deployment="test")
NAME = "林小禾"
ADDRESS = "凤凰街道滨湖南路8号"


def registered(groups: list[str], birth_date: str, address: str | None = ADDRESS) -> dict:
    registration = PersonRegistration.model_validate(
        {"full_name": NAME, "birth_date": birth_date, "residence_region": "420704002",
         "household_region": "420704", "groups": groups, "address": address,
         "registered_on": "2026-11-01"}
    )  # fmt: skip
    person, _ = person_values(uuid4(), registration, CLERK, VAULT)
    event = registered_event(person, registration, PRODUCER, VAULT)
    payload: dict = json.loads(event.model_dump_json())["payload"]
    PersonRegistered.model_validate(payload)
    return payload


def test_an_orphans_name_and_address_open_only_for_a_partner_allowed_them() -> None:
    payload = registered(["child_orphan"], "2015-04-09")
    assert NAME not in json.dumps(payload, ensure_ascii=False)
    assert ADDRESS not in json.dumps(payload, ensure_ascii=False)
    fields = split_fields("person.registered", payload)
    assert {"name", "address"} <= fields.personal_names()
    kept = fields.allowed(frozenset({"name", "address"}))
    assert NAME not in json.dumps(kept, ensure_ascii=False)
    assert open_sealed(kept, CIPHER) == {"name": NAME, "address": ADDRESS}
    assert open_sealed(fields.allowed(frozenset({"groups"})), CIPHER) == {
        "groups": ["child_orphan"]
    }


def test_no_address_known_no_address_sealed() -> None:
    payload = registered(["child_unattended"], "2015-04-09", address=None)
    assert "name_sealed" in payload and "address_sealed" not in payload


def test_persons_who_are_not_children_at_risk_carry_neither_field() -> None:
    for groups, birth_date in (
        (["migrant_child"], "2015-04-09"),
        (["elderly_living_alone"], "1940-01-01"),
    ):
        payload = registered(groups, birth_date)
        assert not {"name_sealed", "address_sealed"} & set(payload), groups


def test_every_child_group_but_disabled_and_migrant_children_is_at_risk() -> None:
    children = {group for group in TargetGroup if group.value.startswith("child_")}
    assert children - {TargetGroup.CHILD_DISABLED} == CHILDREN_AT_RISK
