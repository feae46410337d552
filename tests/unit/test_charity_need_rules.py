"""A need's allowed transitions, overdue needs, the kinds of need, and how offers are
matched to a need and ranked."""

from datetime import UTC, date, datetime, timedelta

import pytest

from wushe.charity.domain.needs_lifecycle import (
    TRANSITIONS,
    NeedPosting,
    NeedStatus,
    NeedStep,
    after,
    is_overdue,
)
from wushe.charity.domain.offers_matching import OfferStanding, best_offer_for_taking, suggest
from wushe.charity.domain.refusals import Invalid, Refused
from wushe.shared.events.needs import NEED_KIND_NAMES, NeedKind
from wushe.shared.events.visits import ServiceKind

TODAY = date(2026, 11, 24)
VILLAGE = "420704001003"

ALLOWED = {
    (NeedStatus.POSTED, NeedStep.TAKE): NeedStatus.TAKEN,
    (NeedStatus.POSTED, NeedStep.CANCEL): NeedStatus.CANCELLED,
    (NeedStatus.TAKEN, NeedStep.FULFIL): NeedStatus.FULFILLED,
    (NeedStatus.TAKEN, NeedStep.CANCEL): NeedStatus.CANCELLED,
    (NeedStatus.FULFILLED, NeedStep.CONFIRM): NeedStatus.CONFIRMED,
    (NeedStatus.FULFILLED, NeedStep.REJECT_FULFILMENT): NeedStatus.TAKEN,
}


@pytest.mark.parametrize(("status", "step"), list(ALLOWED))
def test_allowed_steps_lead_where_the_process_says(status: NeedStatus, step: NeedStep) -> None:
    assert after(status, step) == ALLOWED[(status, step)]


@pytest.mark.parametrize(
    ("status", "step"),
    [(s, p) for s in NeedStatus for p in NeedStep if (s, p) not in ALLOWED],
)
def test_every_other_step_is_refused_naming_the_status(status: NeedStatus, step: NeedStep) -> None:
    with pytest.raises(Refused) as refused:
        after(status, step)
    assert refused.value.field == "status" and refused.value.status_code == 409
    assert status.value in str(refused.value)


def test_the_table_holds_exactly_the_allowed_transitions() -> None:
    assert TRANSITIONS == ALLOWED
    ends = {NeedStatus.CONFIRMED, NeedStatus.CANCELLED}
    assert not [key for key in TRANSITIONS if key[0] in ends], "confirmed and cancelled are final"


def test_a_need_is_overdue_only_while_untaken_past_its_deadline() -> None:
    yesterday = TODAY - timedelta(days=1)
    assert is_overdue(NeedStatus.POSTED, yesterday, TODAY)
    assert not is_overdue(NeedStatus.POSTED, TODAY, TODAY), "due today is not yet overdue"
    assert not is_overdue(NeedStatus.TAKEN, yesterday, TODAY)
    assert not is_overdue(NeedStatus.CANCELLED, yesterday, TODAY)


def test_a_need_cannot_be_posted_with_a_deadline_already_past() -> None:
    posting = NeedPosting(
        kind=NeedKind.SHOPPING_AND_MEALS, summary="代买助餐", region_code=VILLAGE,
        deadline=TODAY - timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(Invalid) as invalid:
        posting.check(TODAY)
    assert invalid.value.field == "deadline"
    posting.model_copy(update={"deadline": TODAY}).check(TODAY)


def test_need_kinds_are_the_service_kinds_and_goods_funds_volunteers_all_named() -> None:
    assert {kind.value for kind in ServiceKind} <= {kind.value for kind in NeedKind}
    assert {kind.value for kind in NeedKind} - {kind.value for kind in ServiceKind} == {
        "goods", "funds", "volunteers",
    }  # fmt: skip
    assert set(NEED_KIND_NAMES) == {kind.value for kind in NeedKind}


def offer(
    name: str, kinds: list[str], regions: list[str], capacity: int = 3, open_needs: int = 0,
    confirmed: int = 0, minutes: int = 0,
) -> OfferStanding:  # fmt: skip
    return OfferStanding(
        offer_id=name, partner_id=f"org-{name}", kinds=kinds, regions=regions,
        capacity=capacity, open_needs=open_needs, confirmed_needs=confirmed,
        posted_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minutes),
    )  # fmt: skip


def test_suggestions_fit_kind_region_and_capacity_and_rank_the_closest_first() -> None:
    offers = [
        offer("city", ["daily_care"], ["420700"], capacity=10),
        offer("station", ["daily_care", "tutoring"], ["420704001"], capacity=2, open_needs=1),
        offer("district-busy", ["daily_care"], ["420704"], capacity=1, open_needs=1),
        offer("district", ["daily_care"], ["420704"], capacity=5, confirmed=2, minutes=2),
        offer("district-old", ["daily_care"], ["420704"], capacity=5, confirmed=2, minutes=1),
        offer("district-proven", ["daily_care"], ["420704"], capacity=5, confirmed=9, minutes=3),
        offer("wrong-kind", ["tutoring"], ["420704001"]),
        offer("elsewhere", ["daily_care"], ["420703"]),
    ]
    ranked = suggest(offers, "daily_care", VILLAGE)
    assert [s.offer.offer_id for s in ranked] == [
        "station", "district-proven", "district-old", "district", "city",
    ]  # fmt: skip
    assert [s.rank for s in ranked] == [1, 2, 3, 4, 5]
    first = ranked[0]
    assert first.covering_region == "420704001"
    assert any("生活照料" in reason for reason in first.reasons)
    assert any("1/2" in reason for reason in first.reasons)


def test_the_offer_a_taking_counts_against_is_the_best_of_its_own() -> None:
    own = [
        offer("wide", ["goods"], ["420000"], capacity=1),
        offer("near", ["goods"], ["420704"], capacity=1, open_needs=1),
    ]
    chosen = best_offer_for_taking(own, "goods", VILLAGE)
    assert chosen is not None and chosen.offer_id == "wide", "the full offer is passed over"
    assert best_offer_for_taking(own[1:], "goods", VILLAGE) is None
