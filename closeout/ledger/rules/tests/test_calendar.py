"""Working days in China, against the State Council's published arrangements 2024–2026."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ledger.errors import DomainError
from closeout.ledger.rules.calendar import (
    CalendarNotCovered,
    add_working_days,
    covered_years,
    is_working_day,
    notice_ends_on,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 1, 1), False),  # New Year's Day, a Monday
        (D(2024, 2, 4), True),  # Sunday, make-up day before Spring Festival
        (D(2024, 2, 12), False),  # Spring Festival, Monday
        (D(2024, 2, 18), True),  # Sunday, make-up day after Spring Festival
        (D(2024, 5, 11), True),  # Saturday, make-up day after Labour Day
        (D(2024, 10, 7), False),  # National Day week, Monday
        (D(2024, 10, 12), True),  # Saturday, make-up day
        (D(2025, 1, 26), True),  # Sunday, make-up day before Spring Festival
        (D(2025, 1, 28), False),  # Spring Festival's eve, Tuesday
        (D(2025, 2, 4), False),  # Spring Festival, Tuesday
        (D(2025, 2, 5), True),  # first working day after it
        (D(2025, 2, 8), True),  # Saturday, make-up day
        (D(2025, 2, 9), False),  # an ordinary Sunday
        (D(2025, 4, 27), True),  # Sunday, make-up day before Labour Day
        (D(2025, 5, 5), False),  # Labour Day holiday, Monday
        (D(2025, 6, 2), False),  # Dragon Boat Festival, Monday
        (D(2025, 9, 28), True),  # Sunday, make-up day before National Day
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),  # National Day and Mid-Autumn, Wednesday
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday, make-up day
        (D(2025, 10, 12), False),  # an ordinary Sunday
        (D(2025, 10, 13), True),  # an ordinary Monday
        (D(2026, 1, 2), False),  # New Year holiday, Friday
        (D(2026, 1, 4), True),  # Sunday, make-up day
        (D(2026, 2, 14), True),  # Saturday, make-up day before Spring Festival
        (D(2026, 2, 23), False),  # Spring Festival holiday, Monday
        (D(2026, 2, 28), True),  # Saturday, make-up day
        (D(2026, 10, 10), True),  # Saturday, make-up day after National Day
    ],
)
def test_working_days_follow_the_published_holiday_arrangement(day: dt.date, working: bool):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 1, 3), 5, D(2025, 1, 10)),  # an ordinary week: Friday to Friday
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Friday → the make-up Sunday
        (D(2025, 1, 24), 2, D(2025, 1, 27)),
        (D(2025, 1, 24), 3, D(2025, 2, 5)),  # across the whole Spring Festival
        (D(2025, 2, 5), 3, D(2025, 2, 8)),  # the make-up Saturday counts
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # across National Day
        (D(2025, 9, 30), 2, D(2025, 10, 10)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),  # make-up Saturday
        (D(2025, 9, 30), 5, D(2025, 10, 14)),
        (D(2025, 10, 9), -1, D(2025, 9, 30)),  # backwards across National Day
        (D(2025, 10, 9), -2, D(2025, 9, 29)),
        (D(2025, 10, 9), -3, D(2025, 9, 28)),  # make-up Sunday
        (D(2025, 10, 4), 0, D(2025, 10, 4)),  # zero days: the day itself, holiday or not
        (D(2024, 12, 31), 1, D(2025, 1, 2)),  # across New Year and a year boundary
    ],
)
def test_add_working_days_skips_holidays_and_counts_make_up_days(
    start: dt.date, n: int, expected: dt.date
):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 1, 3), D(2025, 1, 10), 5),
        (D(2025, 1, 27), D(2025, 2, 5), 1),  # only 2025-02-05 after the make-up Monday
        (D(2025, 9, 26), D(2025, 10, 12), 6),  # 28 (Sun), 29, 30 Sep; 9, 10, 11 (Sat) Oct
        (D(2025, 10, 1), D(2025, 10, 8), 0),
        (D(2025, 10, 8), D(2025, 10, 1), 0),
        (D(2025, 1, 10), D(2025, 1, 3), -5),
        (D(2025, 5, 6), D(2025, 5, 6), 0),
        (D(2024, 1, 1), D(2025, 1, 1), 251),  # 262 weekdays - 19 holidays + 8 make-up days
    ],
)
def test_working_days_between_counts_after_start_up_to_end(
    start: dt.date, end: dt.date, expected: int
):
    assert working_days_between(start, end) == expected


def test_working_days_between_sees_the_make_up_sunday_in_the_spring_festival_week():
    # 2025-01-26 (Sunday) is worked, then 27, then eight days off, then 5–7 Feb and 8 (Sat).
    assert working_days_between(D(2025, 1, 25), D(2025, 2, 8)) == 6


@pytest.mark.parametrize(
    ("first_day", "days", "last_day"),
    [
        (D(2025, 9, 22), 5, D(2025, 9, 26)),  # Monday: the notice ends Friday
        (D(2025, 9, 27), 5, D(2025, 10, 10)),  # Saturday: starts counting on the make-up
        # Sunday 28, then 29, 30 Sep, then 9, 10 Oct after the holiday
        (D(2025, 10, 1), 1, D(2025, 10, 9)),  # published on a holiday
        (D(2026, 2, 13), 5, D(2026, 2, 26)),  # 13, 14 (make-up Sat), 24, 25, 26 Feb 2026
    ],
)
def test_public_notice_of_n_working_days_ends_on_the_nth_working_day(
    first_day: dt.date, days: int, last_day: dt.date
):
    assert notice_ends_on(first_day, days) == last_day


def test_a_public_notice_needs_at_least_one_day():
    with pytest.raises(ValueError):
        notice_ends_on(D(2025, 3, 3), 0)


def test_a_year_without_published_holidays_is_a_clear_domain_error():
    first, last = covered_years()
    assert first <= 2024 and last >= 2026
    outside = D(last + 1, 3, 2)
    with pytest.raises(CalendarNotCovered) as raised:
        is_working_day(outside)
    assert isinstance(raised.value, DomainError)
    assert str(last + 1) in str(raised.value.message)
    assert "chinesecalendar" in str(raised.value.message)
    with pytest.raises(CalendarNotCovered):
        working_days_between(D(last, 6, 1), outside)
    with pytest.raises(CalendarNotCovered):
        add_working_days(D(first, 1, 1), -10)  # walks into the year before


def test_adding_working_days_across_the_last_covered_year_fails_instead_of_guessing():
    _, last = covered_years()
    with pytest.raises(CalendarNotCovered):
        add_working_days(D(last, 12, 28), 10)


_covered_days = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 10, 31))


@given(day=_covered_days, n=st.integers(min_value=-40, max_value=40))
def test_working_days_between_undoes_add_working_days(day: dt.date, n: int):
    assert working_days_between(day, add_working_days(day, n)) == n


@given(day=_covered_days, n=st.integers(min_value=1, max_value=40))
def test_adding_a_positive_number_of_working_days_lands_on_a_working_day(day: dt.date, n: int):
    result = add_working_days(day, n)
    assert result > day and is_working_day(result)


def test_days_the_office_entered_cover_a_year_the_package_does_not_know():
    from closeout.ledger.rules import calendar as cal

    _first, last = cal.covered_years()
    year = last + 1
    new_year = dt.date(year, 1, 1)
    # A Saturday of that year declared a make-up working day.
    makeup = next(dt.date(year, 2, d) for d in range(1, 8) if dt.date(year, 2, d).weekday() == 5)
    try:
        with pytest.raises(cal.CalendarNotCovered):
            cal.is_working_day(new_year)
        cal.use_entered_days({new_year: False, makeup: True})
        assert cal.is_working_day(new_year) is False
        assert cal.is_working_day(makeup) is True
        other_monday = next(
            dt.date(year, 3, d) for d in range(1, 8) if dt.date(year, 3, d).weekday() == 0
        )
        assert cal.is_working_day(other_monday) is True
        assert cal.is_working_day(other_monday + dt.timedelta(days=5)) is False  # a Saturday
        # An entered day also corrects a covered year.
        corrected = dt.date(last, 3, 2)
        cal.use_entered_days({corrected: not cal.is_working_day(corrected)})
        assert cal.is_working_day(corrected) is not bool(
            __import__("chinese_calendar").is_workday(corrected)
        )
    finally:
        cal.use_entered_days({})
    with pytest.raises(cal.CalendarNotCovered):
        cal.is_working_day(new_year)
