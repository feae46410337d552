"""The event contract's value lists are stable ASCII codes; people see official names."""

import importlib
import pkgutil
import re
from enum import StrEnum

import pytest

import wushe.shared.events
from wushe.ledger.domain.timeline_words import detail_words
from wushe.shared.events.cases import (
    AGENCY_KIND_NAMES,
    CASE_KIND_NAMES,
    CLOSING_REASON_NAMES,
    RISK_NAMES,
    AgencyKind,
    CaseKind,
    CaseRisk,
    ClosingReason,
)
from wushe.shared.events.names import name_in
from wushe.shared.events.visits import (
    ACTIVITY_KIND_NAMES,
    CRISIS_KIND_NAMES,
    SERVICE_KIND_NAMES,
    VISITOR_KIND_NAMES,
    ActivityKind,
    CrisisKind,
    ServiceKind,
    VisitorKind,
)

CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def contract_enums() -> list[type[StrEnum]]:
    modules = [
        importlib.import_module(f"wushe.shared.events.{module.name}")
        for module in pkgutil.iter_modules(wushe.shared.events.__path__)
    ]
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
        and value.__module__ == module.__name__
    ]  # fmt: skip


def test_every_value_in_the_event_contract_is_a_snake_case_code() -> None:
    enums = contract_enums()
    assert {CaseKind, AgencyKind, ServiceKind, ActivityKind} <= set(enums)
    odd = [f"{enum.__name__}.{member.name}" for enum in enums for member in enum
           if not CODE.fullmatch(member.value)]  # fmt: skip
    assert odd == []


@pytest.mark.parametrize(
    ("enum", "names"),
    [
        (CaseKind, CASE_KIND_NAMES),
        (AgencyKind, AGENCY_KIND_NAMES),
        (ServiceKind, SERVICE_KIND_NAMES),
        (ActivityKind, ACTIVITY_KIND_NAMES),
        (CaseRisk, RISK_NAMES),
        (ClosingReason, CLOSING_REASON_NAMES),
        (VisitorKind, VISITOR_KIND_NAMES),
        (CrisisKind, CRISIS_KIND_NAMES),
    ],
)
def test_every_member_has_its_official_name(enum: type[StrEnum], names: dict[str, str]) -> None:
    assert set(names) == set(enum)
    assert len(set(names.values())) == len(enum)
    assert all(name_in(names, member) != member.value for member in enum)
    assert name_in(names, "a_kind_added_later") == "a_kind_added_later"


def test_timeline_details_name_kinds_services_and_agencies() -> None:
    assert detail_words({"kind": "elderly_care", "risk_level": "high"}) == (
        "kind: 养老服务；risk_level: high"
    )
    assert detail_words({"kind": "daily_care", "served_on": "2026-11-20"}) == (
        "kind: 生活照料；served_on: 2026-11-20"
    )
    assert detail_words({"services": ["home_visit", "crisis_intervention"]}) == (
        "services: 探视巡访、危机干预"
    )
    agencies = [{"kind": "street_office", "name": "凤凰街道办事处"}]
    assert detail_words({"agencies": agencies}) == "agencies: 凤凰街道办事处（街道办事处）"
