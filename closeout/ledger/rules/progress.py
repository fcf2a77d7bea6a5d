"""What a progress report (进展报送) does to the task's progress.

The latest report is the truth. A report for the latest period reported so far, or a
later one, sets the task's progress to what it says — the percentage given, raised to
the expectation of a milestone it reports reached (节点) — and that may be lower than
before: a rebound found on site, a measure that has to be redone, a percentage typed
wrong last week (100% → 10%). Hiding such a fall behind the old figure would keep a
task "on schedule" that is not. A fall is taken only with a reason, kept on the report
and shown in its history, so the office can ask about it.

A late report for an earlier period (补报, filling a missed week) tells what was done
then: it is kept in the history, fills its missed-report record and marks a milestone
it names as reached, but leaves the current progress alone (a newer report already
said where the task stands), so it never needs a reason.

Pure functions; `closeout.ledger.services.reports.report_create` applies them.
"""

from __future__ import annotations

import datetime as dt


def is_current(period_start: dt.date, last_reported: dt.date | None) -> bool:
    """Whether a report for the period starting `period_start` speaks for the task's
    progress now: no period reported yet, or this one is not before the latest one."""
    return last_reported is None or period_start >= last_reported


def reported_progress(percent: int | None, milestone_expected: int | None) -> int | None:
    """The progress a report states: its percentage raised to a reached milestone's
    expectation; None when it states none (a text-only report)."""
    if milestone_expected is None:
        return percent
    return max(percent or 0, milestone_expected)


def new_progress(current: int, stated: int | None, *, current_period: bool) -> int:
    """The task's progress after the report."""
    if stated is None or not current_period:
        return current
    return stated


def falls(current: int, stated: int | None, *, current_period: bool) -> bool:
    """Whether the report lowers the task's progress (and so needs a reason)."""
    return new_progress(current, stated, current_period=current_period) < current
