"""Referral deadlines in China's working days: the State Council's public holidays are
skipped and the weekends worked in their place (调休) count, as the arrangement for 2026
sets them (国庆 1-7 October, with Sunday 20 September and Saturday 10 October worked)."""

from datetime import UTC, date, datetime

from wushe.ledger.domain.referrals import (
    CHINA,
    add_working_days,
    complete_by,
    is_working_day,
    respond_by,
)
from wushe.shared.events.referrals import Urgency


def china(month: int, day: int, hour: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=CHINA).astimezone(UTC)


def test_a_referral_sent_before_national_day_is_answered_after_the_holiday_week() -> None:
    # Wednesday 30 September: Thursday 8 and Friday 9 October, then Saturday 10 October,
    # a make-up working day (调休).
    assert respond_by(Urgency.NORMAL, china(9, 30, 10)) == china(10, 10, 10)


def test_the_make_up_working_days_count_and_the_holidays_do_not() -> None:
    assert is_working_day(date(2026, 10, 10))  # Saturday worked for 国庆
    assert is_working_day(date(2026, 9, 20))  # Sunday worked for 国庆
    assert not is_working_day(date(2026, 10, 5))  # a Monday of the holiday week
    assert not is_working_day(date(2026, 9, 25))  # 中秋, a Friday
    # Friday 18 September + one working day: Sunday 20th, not Monday 21st.
    assert add_working_days(china(9, 18, 10), 1) == china(9, 20, 10)


def test_sent_during_the_holiday_the_count_starts_on_the_first_working_day() -> None:
    # Saturday 3 October: 8, 9 and 10 October are the three days; Sunday 11th is off.
    assert respond_by(Urgency.NORMAL, china(10, 3, 15)) == china(10, 12)
    # Accepted on Tuesday 29 September, fifteen working days to complete: 30 September,
    # 8 to 10 October, 12 to 16, 19 to 23, and Monday 26 October.
    assert complete_by(Urgency.NORMAL, china(9, 29, 9)) == china(10, 26, 9)


def test_a_year_without_a_published_arrangement_counts_monday_to_friday() -> None:
    assert not is_working_day(date(2031, 1, 4))  # a Saturday
    assert add_working_days(china(1, 3, 10, year=2031), 1) == china(1, 6, 10, year=2031)
