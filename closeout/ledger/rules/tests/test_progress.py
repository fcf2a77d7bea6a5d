"""What a progress report does to the task's progress: the latest report is the truth,
down as well as up, a fall needs a reason, a late report for an earlier period leaves
the current progress alone."""

from __future__ import annotations

import datetime as dt

import pytest

from closeout.ledger.rules.progress import falls, is_current, new_progress, reported_progress

D = dt.date


@pytest.mark.parametrize(
    ("period", "last", "current"),
    [
        (D(2025, 6, 9), None, True),  # the first report
        (D(2025, 6, 9), D(2025, 6, 9), True),  # a second report for the same week
        (D(2025, 6, 16), D(2025, 6, 9), True),
        (D(2025, 6, 2), D(2025, 6, 9), False),  # 补报 for an earlier week
    ],
)
def test_is_current(period, last, current):
    assert is_current(period, last) is current


@pytest.mark.parametrize(
    ("percent", "milestone", "stated"),
    [(None, None, None), (40, None, 40), (10, 30, 30), (50, 30, 50), (None, 60, 60), (0, None, 0)],
)
def test_reported_progress(percent, milestone, stated):
    assert reported_progress(percent, milestone) == stated


@pytest.mark.parametrize(
    ("current", "stated", "current_period", "after", "fell"),
    [
        (40, 60, True, 60, False),  # up
        (60, 60, True, 60, False),  # the same
        (100, 10, True, 10, True),  # the trial's case: followed, with a reason
        (50, 0, True, 0, True),
        (50, None, True, 50, False),  # a text-only report states nothing
        (100, 10, False, 100, False),  # a late report for an earlier week: history only
        (10, 100, False, 10, False),
    ],
)
def test_the_latest_report_sets_the_progress_and_a_fall_is_known(
    current, stated, current_period, after, fell
):
    assert new_progress(current, stated, current_period=current_period) == after
    assert falls(current, stated, current_period=current_period) is fell
