"""A referral's closed loop: every move from every state, the deadline table (working
days over a weekend, in China's time), and when a late referral goes up a level."""

from datetime import UTC, datetime, timedelta

import pytest

from wushe.ledger.domain.referrals import (
    CHINA,
    MOVES,
    Clock,
    Move,
    MoveRefused,
    Status,
    add_working_days,
    complete_by,
    escalated_to,
    move,
    respond_by,
)
from wushe.shared.events.referrals import DeadlineKind, EscalationLevel, Urgency

ALLOWED = {
    (Status.SENT, Move.ACCEPT): Status.ACCEPTED,
    (Status.SENT, Move.DECLINE): Status.DECLINED,
    (Status.SENT, Move.WITHDRAW): Status.WITHDRAWN,
    (Status.ACCEPTED, Move.COMPLETE): Status.DONE,
    (Status.ACCEPTED, Move.WITHDRAW): Status.WITHDRAWN,
    (Status.DECLINED, Move.RESEND): Status.DECLINED,
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("wanted", list(Move))
def test_each_move_is_allowed_only_from_its_states(status: Status, wanted: Move) -> None:
    if (status, wanted) in ALLOWED:
        assert move(status, wanted) is ALLOWED[(status, wanted)]
    else:
        with pytest.raises(MoveRefused, match=f"^referral is {status.value}; only an? "):
            move(status, wanted)


def test_a_refusal_names_the_state_and_what_would_allow_the_move() -> None:
    with pytest.raises(MoveRefused) as refused:
        move(Status.DECLINED, Move.ACCEPT)
    assert str(refused.value) == "referral is declined; only a sent referral can be accepted"
    with pytest.raises(MoveRefused) as refused:
        move(Status.DONE, Move.WITHDRAW)
    assert (
        str(refused.value) == "referral is done; only a sent or accepted referral can be withdrawn"
    )
    with pytest.raises(MoveRefused) as refused:
        move(Status.SENT, Move.COMPLETE)
    assert str(refused.value) == "referral is sent; only an accepted referral can be completed"
    assert set(MOVES) == set(Move)


def china(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in November 2026, China Standard Time (the 20th is a Friday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=CHINA)


def test_emergency_and_urgent_deadlines_are_hours_on_the_clock() -> None:
    sent = china(21, 23, 30)  # a Saturday night: hours do not wait for Monday
    assert respond_by(Urgency.EMERGENCY, sent) == china(22, 1, 30)
    assert respond_by(Urgency.URGENT, sent) == china(22, 23, 30)
    assert respond_by(Urgency.EMERGENCY, sent).tzinfo is UTC


def test_normal_referrals_get_three_working_days_skipping_the_weekend() -> None:
    assert respond_by(Urgency.NORMAL, china(17, 10)) == china(20, 10)  # Tuesday → Friday
    assert respond_by(Urgency.NORMAL, china(20, 15)) == china(25, 15)  # Friday → Wednesday
    # Sent on a Saturday, the count starts on Monday at midnight: three full days.
    assert respond_by(Urgency.NORMAL, china(21, 10)) == china(26, 0)
    assert respond_by(Urgency.NORMAL, china(22, 23, 59)) == china(26, 0)
    # Friday 23:00 in China is still Friday 15:00 UTC: the day is China's.
    assert add_working_days(datetime(2026, 11, 20, 15, tzinfo=UTC), 1) == china(23, 23)


def test_completion_windows_follow_urgency() -> None:
    accepted = china(20, 9)
    assert complete_by(Urgency.EMERGENCY, accepted) == china(24, 9)
    assert complete_by(Urgency.URGENT, accepted) == china(27, 9)
    assert complete_by(Urgency.NORMAL, accepted) == china(20, 9) + timedelta(days=21)


def clock(status: Status, escalated: EscalationLevel | None = None) -> Clock:
    return Clock(
        urgency=Urgency.EMERGENCY,
        status=status,
        respond_by=china(20, 12),
        complete_by=china(24, 12) if status is not Status.SENT else None,
        escalated=escalated,
    )


def test_an_unanswered_referral_goes_to_the_station_then_the_district_once_each() -> None:
    sent = clock(Status.SENT)
    assert sent.deadline == (DeadlineKind.RESPONSE, china(20, 12))
    assert sent.escalations_due(china(20, 12)) == [] and not sent.overdue(china(20, 12))
    assert sent.escalations_due(china(20, 12, 1)) == [EscalationLevel.STATION]
    assert sent.district_at() == china(20, 14)
    assert sent.escalations_due(china(20, 14, 1)) == [
        EscalationLevel.STATION, EscalationLevel.DISTRICT
    ]  # fmt: skip
    told_station = clock(Status.SENT, EscalationLevel.STATION)
    assert told_station.escalations_due(china(20, 13)) == []
    assert told_station.escalations_due(china(20, 15)) == [EscalationLevel.DISTRICT]
    assert clock(Status.SENT, EscalationLevel.DISTRICT).escalations_due(china(30, 0)) == []


def test_an_accepted_referral_runs_against_its_completion_date() -> None:
    accepted = clock(Status.ACCEPTED)
    assert accepted.deadline == (DeadlineKind.COMPLETION, china(24, 12))
    assert not accepted.overdue(china(21, 0)) and accepted.escalations_due(china(21, 0)) == []
    assert accepted.overdue(china(24, 13))
    assert accepted.escalations_due(china(24, 13)) == [EscalationLevel.STATION]


@pytest.mark.parametrize("status", [Status.DECLINED, Status.DONE, Status.WITHDRAWN])
def test_a_closed_referral_has_no_deadline(status: Status) -> None:
    closed = clock(status)
    assert closed.deadline is None and not closed.overdue(china(30, 0))
    assert closed.escalations_due(china(30, 0)) == []


def test_escalation_goes_to_the_station_and_district_over_the_region() -> None:
    assert escalated_to(EscalationLevel.STATION, "420704001003") == "420704001"
    assert escalated_to(EscalationLevel.DISTRICT, "420704001003") == "420704"
