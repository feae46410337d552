"""The time bank's rules without I/O: what a piece of work earns, that no movement takes
an account below zero, whose work the ledger names as a volunteer's, and requests that
name the field to correct."""

import pytest
from pydantic import ValidationError

from wushe.charity.domain.time_bank import (
    HolderKind,
    Overdrawn,
    balance_after,
    credit_for,
    holder_of,
    is_pool,
    pool_account,
)
from wushe.charity.entrypoints.time_bank import DonationBody, LogBody
from wushe.charity.service_layer.time_bank_credits import TimeBankSettings
from wushe.ledger.service_layer.volunteer_work import volunteer_of
from wushe.shared.auth import Caller, Role
from wushe.shared.events.visits import VisitorKind
from wushe.shared.refusals import Invalid

VOLUNTEER = Caller(subject="vol-7", role=Role.VOLUNTEER, region="420704")
WORKER = Caller(subject="worker-017", role=Role.SOCIAL_WORKER, region="420704")


def test_work_earns_its_duration_or_the_default_marked_as_such() -> None:
    assert (credit_for(45, 60).minutes, credit_for(45, 60).defaulted) == (45, False)
    assert (credit_for(None, 60).minutes, credit_for(None, 60).defaulted) == (60, True)


def test_no_movement_takes_an_account_below_zero() -> None:
    assert balance_after("vol-7", 30, -30) == 0
    assert balance_after("vol-7", 0, 15) == 15
    with pytest.raises(Overdrawn, match="holds 30 minutes; 31 cannot be taken"):
        balance_after("vol-7", 30, -31)


def test_a_pool_is_an_account_named_by_its_region() -> None:
    assert pool_account("420704001") == "pool:420704001" and is_pool("pool:420704001")
    assert holder_of("pool:420704001") is HolderKind.POOL
    assert holder_of("vol-7") is HolderKind.VOLUNTEER


def test_a_volunteer_records_their_own_work_and_staff_may_name_one() -> None:
    assert volunteer_of(VOLUNTEER, None) == "vol-7"
    assert volunteer_of(VOLUNTEER, "vol-7") == "vol-7"
    assert volunteer_of(WORKER, None) is None
    assert volunteer_of(WORKER, "vol-7") == "vol-7"


@pytest.mark.parametrize(
    ("caller", "named", "kind", "field"),
    [
        (VOLUNTEER, "vol-8", VisitorKind.VOLUNTEER, "volunteer_id"),
        (VOLUNTEER, None, VisitorKind.SOCIAL_WORKER, "visitor_kind"),
        (WORKER, "vol-7", VisitorKind.SOCIAL_WORKER, "volunteer_id"),
    ],
)
def test_whose_work_it_was_is_refused_when_it_contradicts_itself(
    caller: Caller, named: str | None, kind: VisitorKind, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        volunteer_of(caller, named, kind)
    assert refused.value.field == field


def test_a_donation_names_exactly_one_receiver() -> None:
    assert DonationBody(minutes=5, to_volunteer_id="vol-8").to_pool_region is None
    for body in (
        {"minutes": 5},
        {"minutes": 5, "to_volunteer_id": "v", "to_pool_region": "420704"},
    ):
        with pytest.raises(ValidationError, match="to_volunteer_id and to_pool_region"):
            DonationBody.model_validate(body)


def test_logged_hours_are_whole_minutes_within_a_day() -> None:
    base = {"what": "陪伴", "place": "社区", "served_on": "2026-11-20"}
    with pytest.raises(ValidationError) as refused:
        LogBody.model_validate(base | {"minutes": 1441})
    assert refused.value.errors()[0]["loc"] == ("minutes",)
    with pytest.raises(ValidationError):
        LogBody.model_validate(base | {"minutes": 1.5})
    assert LogBody.model_validate(base | {"minutes": 1440}).minutes == 1440


def test_the_default_credit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert TimeBankSettings().default_credit_minutes == 60
    monkeypatch.setenv("WUSHE_TIME_BANK_DEFAULT_CREDIT_MINUTES", "30")
    assert TimeBankSettings().default_credit_minutes == 30
    monkeypatch.setenv("WUSHE_TIME_BANK_DEFAULT_CREDIT_MINUTES", "0")
    with pytest.raises(ValidationError):
        TimeBankSettings()
