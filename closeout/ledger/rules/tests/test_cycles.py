"""Reporting cycles (调度周期): periods, lateness and missing reports."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ledger.rules.cycles import (
    CUSTOM,
    MONTHLY,
    WEEKLY,
    Cycle,
    MissedStreak,
    Period,
    ReportFacts,
    ReportState,
    is_late,
    missed_run,
    missing_periods,
    period_of,
    periods_between,
    report_states,
)

D = dt.date
UTC = dt.UTC
WEEK, MONTH = Cycle(), Cycle(MONTHLY)
TEN_DAYS = Cycle(CUSTOM, 10, D(2025, 1, 1))


@pytest.mark.parametrize(
    ("day", "cycle", "start", "end"),
    [
        (D(2025, 1, 1), WEEK, D(2024, 12, 30), D(2025, 1, 5)),  # Wednesday; Monday–Sunday
        (D(2025, 1, 5), WEEK, D(2024, 12, 30), D(2025, 1, 5)),  # Sunday ends the week
        (D(2025, 1, 6), WEEK, D(2025, 1, 6), D(2025, 1, 12)),
        (D(2024, 2, 15), MONTH, D(2024, 2, 1), D(2024, 2, 29)),  # leap year
        (D(2025, 2, 1), MONTH, D(2025, 2, 1), D(2025, 2, 28)),
        (D(2025, 12, 31), MONTH, D(2025, 12, 1), D(2025, 12, 31)),
        (D(2025, 1, 10), TEN_DAYS, D(2025, 1, 1), D(2025, 1, 10)),
        (D(2025, 1, 11), TEN_DAYS, D(2025, 1, 11), D(2025, 1, 20)),
        (D(2024, 12, 31), TEN_DAYS, D(2024, 12, 22), D(2024, 12, 31)),  # before the anchor
    ],
)
def test_period_of_a_day(day: dt.date, cycle: Cycle, start: dt.date, end: dt.date):
    assert period_of(day, cycle) == Period(start, end)


def test_weekly_is_the_default_cycle():
    assert Cycle().kind == WEEKLY
    assert Cycle.of_plan("weekly", None) == WEEK


def test_a_custom_cycle_counts_from_the_plans_anchor():
    cycle = Cycle.of_plan("custom", 14, D(2025, 3, 5))
    assert period_of(D(2025, 3, 20), cycle) == Period(D(2025, 3, 19), D(2025, 4, 1))


@pytest.mark.parametrize(("kind", "days"), [("custom", None), ("custom", 0), ("daily", None)])
def test_a_cycle_must_make_sense(kind: str, days: int | None):
    with pytest.raises(ValueError):
        Cycle(kind, days)


def test_cycle_kinds_are_the_plans_report_cycle_choices():
    from closeout.ledger.models.plans import ReportCycle

    assert set(ReportCycle.values) == {WEEKLY, MONTHLY, CUSTOM}


def test_periods_between_lists_every_overlapping_period_in_order():
    assert periods_between(D(2025, 1, 29), D(2025, 2, 12), WEEK) == [
        Period(D(2025, 1, 27), D(2025, 2, 2)),
        Period(D(2025, 2, 3), D(2025, 2, 9)),
        Period(D(2025, 2, 10), D(2025, 2, 16)),
    ]
    assert [p.start for p in periods_between(D(2025, 1, 31), D(2025, 3, 1), MONTH)] == [
        D(2025, 1, 1),
        D(2025, 2, 1),
        D(2025, 3, 1),
    ]
    assert periods_between(D(2025, 2, 1), D(2025, 1, 1), WEEK) == []


JAN_6 = Period(D(2025, 1, 6), D(2025, 1, 12))


@pytest.mark.parametrize(
    ("submitted", "grace", "late"),
    [
        (D(2025, 1, 12), 0, False),  # the last day of the period
        (D(2025, 1, 13), 0, True),
        (D(2025, 1, 13), 1, False),  # within a one-day grace
        (D(2025, 1, 14), 1, True),
        (dt.datetime(2025, 1, 12, 15, 59, tzinfo=UTC), 0, False),  # 23:59 in Beijing
        (dt.datetime(2025, 1, 12, 16, 30, tzinfo=UTC), 0, True),  # 00:30 next day in Beijing
        (dt.datetime(2025, 1, 12, 23, 0), 0, False),  # naive: read as local time
    ],
)
def test_a_report_is_late_after_the_period_and_its_grace(
    submitted: dt.date | dt.datetime, grace: int, late: bool
):
    assert is_late(submitted, JAN_6, grace) is late


def test_report_states_mark_on_time_late_missing_and_pending_periods():
    # The task started on Wednesday 1 Jan: the week it started in is free.
    reports = [
        ReportFacts(D(2025, 1, 10)),
        ReportFacts(dt.datetime(2025, 1, 21, 9, 0, tzinfo=UTC)),
        # Filed on Tuesday for the week before: counts there, late.
        ReportFacts(D(2025, 2, 4), period_start=D(2025, 1, 27)),
        ReportFacts(D(2025, 2, 20)),  # after the day we look at: not known yet
    ]
    states = report_states(reports, since=D(2025, 1, 1), as_of=D(2025, 2, 5), cycle=WEEK)
    assert [(p.start, s) for p, s in states] == [
        (D(2025, 1, 6), ReportState.ON_TIME),
        (D(2025, 1, 13), ReportState.MISSING),
        (D(2025, 1, 20), ReportState.ON_TIME),
        (D(2025, 1, 27), ReportState.LATE),
        (D(2025, 2, 3), ReportState.PENDING),
    ]


def test_a_period_is_not_missing_until_its_grace_has_run_out():
    kwargs = {"since": D(2025, 1, 6), "cycle": WEEK, "grace": 1}
    assert missing_periods([], as_of=D(2025, 1, 13), **kwargs) == []  # type: ignore[arg-type]
    assert missing_periods([], as_of=D(2025, 1, 14), **kwargs) == [JAN_6]  # type: ignore[arg-type]


def test_monthly_reports_are_owed_from_the_first_full_month():
    missing = missing_periods(
        [ReportFacts(D(2025, 3, 31))], since=D(2025, 1, 15), as_of=D(2025, 5, 2), cycle=MONTH
    )
    assert [p.start for p in missing] == [D(2025, 2, 1), D(2025, 4, 1)]


def test_a_run_of_missed_reports_is_the_unfilled_periods_after_the_latest_reported():
    unfilled = [D(2025, 1, 27), D(2025, 1, 13), D(2025, 1, 20)]
    assert missed_run(unfilled, last_reported=D(2025, 1, 6)) == MissedStreak(3, D(2025, 1, 13))
    assert missed_run(unfilled, last_reported=None) == MissedStreak(3, D(2025, 1, 13))


def test_any_report_ends_a_run_and_the_next_one_has_a_new_start():
    unfilled = [D(2025, 1, 13), D(2025, 1, 27), D(2025, 2, 3)]
    # A (late) report for the week of 20 January: the run starts again after it.
    assert missed_run(unfilled, last_reported=D(2025, 1, 20)) == MissedStreak(2, D(2025, 1, 27))
    assert missed_run(unfilled, last_reported=D(2025, 2, 3)) == MissedStreak(0, None)


def test_a_task_that_owes_no_reports_has_no_run():
    assert missed_run([D(2025, 1, 13)], last_reported=None, owes=False) == MissedStreak(0, None)


# --- properties -------------------------------------------------------------------------

_dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))
_cycles = st.one_of(
    st.just(WEEK),
    st.just(MONTH),
    st.builds(Cycle, kind=st.just(CUSTOM), days=st.integers(1, 60), anchor=_dates),
)


@given(day=_dates, cycle=_cycles)
def test_a_day_lies_in_its_period_and_the_next_period_follows_without_gap(
    day: dt.date, cycle: Cycle
):
    period = period_of(day, cycle)
    assert day in period
    assert period_of(period.start, cycle) == period == period_of(period.end, cycle)
    following = period_of(period.end + dt.timedelta(days=1), cycle)
    assert following.start == period.end + dt.timedelta(days=1)


@given(a=_dates, days=st.integers(0, 400), cycle=_cycles)
def test_periods_between_cover_the_range_exactly(a: dt.date, days: int, cycle: Cycle):
    b = a + dt.timedelta(days=days)
    periods = periods_between(a, b, cycle)
    assert periods[0].start <= a and periods[-1].end >= b
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + dt.timedelta(days=1)


@given(day=_dates)
def test_a_seven_day_custom_cycle_without_anchor_is_the_week(day: dt.date):
    assert period_of(day, Cycle(CUSTOM, 7)) == period_of(day, WEEK)
