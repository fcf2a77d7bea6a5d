"""Working days in mainland China (工作日): public holidays (法定节假日) and the make-up
working days on weekends that the State Council sets around them (调休上班).

The public notice of a close-out (公示) runs for a number of *working* days, and response
deadlines of escalation measures are counted the same way, so "five working days from
2025-09-30" has to skip the whole National Day week and still count Saturday 2025-10-11,
a make-up working day. The State Council publishes each year's arrangement in November
of the year before; the `chinesecalendar` package carries those notices as data. A date
outside the years it covers raises `CalendarNotCovered` rather than silently guessing
from weekdays: a wrong public-notice end date is a legal defect, an error is a prompt to
upgrade the package.

Pure functions, no database.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar
from django.utils.translation import gettext_lazy as _

from closeout.ledger.errors import InvalidInput

_ONE_DAY = dt.timedelta(days=1)


class CalendarNotCovered(InvalidInput):
    """The holiday arrangement for this year is not known (not yet published, or the
    installed `chinesecalendar` is too old)."""

    def __init__(self, day: dt.date) -> None:
        first, last = covered_years()
        super().__init__(
            _(
                "working days of %(year)s are not known: the holiday calendar covers "
                "%(first)s to %(last)s; upgrade the chinesecalendar package"
            )
            % {"year": day.year, "first": first, "last": last},
            field="date",
        )
        self.day = day


@functools.cache
def covered_years() -> tuple[int, int]:
    """The first and last year whose holidays and make-up days the package knows."""
    years = {day.year for day in chinese_calendar.holidays} | {
        day.year for day in chinese_calendar.workdays
    }
    return min(years), max(years)


# Days the office entered: date → whether it is a working day.
_entered: dict[dt.date, bool] = {}


def use_entered_days(days: dict[dt.date, bool]) -> None:
    """Install the office's entered days (holidays and make-up working days of years the
    package does not cover yet, or corrections); they replace any installed before."""
    global _entered
    _entered = dict(days)


def _check(day: dt.date) -> None:
    first, last = covered_years()
    if first <= day.year <= last:
        return
    if any(entered.year == day.year for entered in _entered):
        return
    raise CalendarNotCovered(day)


def is_working_day(day: dt.date) -> bool:
    """True on Monday–Friday unless a public holiday, and on a make-up Saturday/Sunday."""
    _check(day)
    if day in _entered:
        return _entered[day]
    first, last = covered_years()
    if not first <= day.year <= last:
        return day.weekday() < 5  # an entered year: its weekdays, less the entered holidays
    return bool(chinese_calendar.is_workday(day))


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date `n` working days after `day` (before it when `n` < 0); `day` itself is
    not counted, and `n` = 0 returns `day` unchanged even when it is a holiday.

    So a reply due "within 5 working days" of a Friday is due on the next Friday, and
    `working_days_between(day, add_working_days(day, n)) == n` for every n.
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    _check(day)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie after `start` up to and including `end`.

    When `end` is before `start` the count is negative and runs from `end` included to
    `start` excluded, the mirror image, so that `add_working_days` is undone either way.
    """
    if end < start:
        return -working_days_between(end - _ONE_DAY, start - _ONE_DAY)
    _check(start)
    _check(end)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        count += is_working_day(day)
    return count


def notice_ends_on(first_day: dt.date, working_days: int) -> dt.date:
    """The last day of a public notice (公示期) that runs `working_days` working days
    from `first_day`, which counts when it is itself a working day."""
    if working_days < 1:
        raise ValueError("a public notice runs for at least one working day")
    return add_working_days(first_day - _ONE_DAY, working_days)
