"""Reporting cycles (调度周期): the periods in which a responsible unit owes one progress
report (进展报送) per task in progress, and which reports were late or missing.

Periods are whole calendar days, `start` and `end` both included:

- weekly (每周调度, the default): Monday to Sunday, as in "每周五前报送本周进展";
- monthly (一月一调度): the calendar month;
- custom: every N days counted from an anchor date (the plan's start, say), so the
  periods of one plan never shift when the sweep runs on a different day.

A report for a period is due by the period's last day plus a grace of some calendar days
(offices often collect Monday morning what the week produced). Which report belongs
to which period: the period it was filed for when it says so, else the period in which
it was submitted. A task owes reports for the periods that begin on or after the day it
started (the partial period in which it was confirmed is free) and that have ended,
grace included, by the day we look.

Pure functions, no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The kinds, by their values in closeout.ledger.models.plans.ReportCycle (a test keeps
# the two in step).
WEEKLY, MONTHLY, CUSTOM = "weekly", "monthly", "custom"
# Custom cycles without an anchor count from this Monday, so 7-day custom periods
# coincide with the weekly ones.
DEFAULT_ANCHOR = dt.date(2000, 1, 3)


@dataclass(frozen=True)
class Cycle:
    """How often reports are due: `kind` is weekly, monthly or custom (every `days`
    days from `anchor`)."""

    kind: str = WEEKLY
    days: int | None = None
    anchor: dt.date = DEFAULT_ANCHOR

    def __post_init__(self) -> None:
        if self.kind not in (WEEKLY, MONTHLY, CUSTOM):
            raise ValueError(f"unknown reporting cycle {self.kind!r}")
        if self.kind == CUSTOM and (self.days is None or self.days < 1):
            raise ValueError("a custom reporting cycle needs a length of at least one day")

    @classmethod
    def of_plan(cls, kind: str, days: int | None, anchor: dt.date | None = None) -> Cycle:
        """The cycle from a plan's `report_cycle` and `report_cycle_days` fields."""
        if kind != CUSTOM:
            return cls(kind)
        return cls(kind, days, anchor or DEFAULT_ANCHOR)

    @classmethod
    def of_settings(cls, kind: str, days: int | None, anchor: dt.date | None = None) -> Cycle:
        """`of_plan` for stored settings, which must never stop the loop: a custom cycle
        saved without a length (or an unknown kind) counts as weekly."""
        try:
            return cls.of_plan(kind, days, anchor)
        except ValueError:
            return cls()


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period, both ends included."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def due_by(self, grace: int = 0) -> dt.date:
        """The last day on which a report for this period is on time."""
        return self.end + dt.timedelta(days=grace)


def period_of(day: dt.date, cycle: Cycle) -> Period:
    """The period that contains `day`."""
    if cycle.kind == WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(days=6))
    if cycle.kind == MONTHLY:
        start = day.replace(day=1)
        return Period(start, _next_month(start) - dt.timedelta(days=1))
    assert cycle.days is not None  # checked by Cycle
    offset = (day - cycle.anchor).days // cycle.days  # floor: also right before the anchor
    start = cycle.anchor + dt.timedelta(days=offset * cycle.days)
    return Period(start, start + dt.timedelta(days=cycle.days - 1))


def _next_month(first: dt.date) -> dt.date:
    if first.month == 12:
        return first.replace(year=first.year + 1, month=1)
    return first.replace(month=first.month + 1)


def iter_periods(start: dt.date, cycle: Cycle) -> Iterator[Period]:
    """Periods in order, from the one that contains `start`, without end."""
    period = period_of(start, cycle)
    while True:
        yield period
        period = period_of(period.end + dt.timedelta(days=1), cycle)


def periods_between(start: dt.date, end: dt.date, cycle: Cycle) -> list[Period]:
    """Every period that overlaps `start`..`end` (both included), in order; empty when
    `end` is before `start`."""
    periods: list[Period] = []
    if end < start:
        return periods
    for period in iter_periods(start, cycle):
        if period.start > end:
            break
        periods.append(period)
    return periods


def _local_date(moment: dt.date | dt.datetime) -> dt.date:
    if isinstance(moment, dt.datetime):
        # An aware time is read in the office's time zone: 23:30 in Beijing is that day.
        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return moment


def is_late(submitted_at: dt.date | dt.datetime, period: Period, grace: int = 0) -> bool:
    """True when a report for `period` came after its last day plus `grace` days."""
    return _local_date(submitted_at) > period.due_by(grace)


class ReportState(TextChoices):
    ON_TIME = "on_time", _("Reported on time")
    LATE = "late", _("Reported late")  # 迟报
    MISSING = "missing", _("Not reported")  # 漏报 / 未报
    PENDING = "pending", _("Not yet due")


@dataclass(frozen=True)
class ReportFacts:
    """One report as the cycle rules see it: when it came, and for which period when
    the report says so."""

    submitted_at: dt.date | dt.datetime
    period_start: dt.date | None = None


def owed_periods(since: dt.date, as_of: dt.date, cycle: Cycle) -> list[Period]:
    """Periods a task started on `since` owes a report for, up to `as_of`: those that
    begin on or after `since` and have begun by `as_of` (the current one included)."""
    return [p for p in periods_between(since, as_of, cycle) if p.start >= since]


def report_states(
    reports: Iterable[ReportFacts],
    *,
    since: dt.date,
    as_of: dt.date,
    cycle: Cycle,
    grace: int = 0,
) -> list[tuple[Period, ReportState]]:
    """The state of every owed period up to `as_of`, in order.

    A period with an on-time report is on_time; with only late ones, late; with none,
    missing once its due date has passed and pending until then. A report submitted
    after `as_of` is not known yet and is ignored.
    """
    first_by_period: dict[Period, dt.date] = {}
    for report in reports:
        submitted = _local_date(report.submitted_at)
        if submitted > as_of:
            continue
        period = period_of(report.period_start or submitted, cycle)
        if period not in first_by_period or submitted < first_by_period[period]:
            first_by_period[period] = submitted
    states = []
    for period in owed_periods(since, as_of, cycle):
        first = first_by_period.get(period)
        if first is not None:
            state = ReportState.LATE if is_late(first, period, grace) else ReportState.ON_TIME
        elif as_of > period.due_by(grace):
            state = ReportState.MISSING
        else:
            state = ReportState.PENDING
        states.append((period, state))
    return states


def missing_periods(
    reports: Iterable[ReportFacts],
    *,
    since: dt.date,
    as_of: dt.date,
    cycle: Cycle,
    grace: int = 0,
) -> list[Period]:
    """The owed periods whose due date has passed without a report."""
    states = report_states(reports, since=since, as_of=as_of, cycle=cycle, grace=grace)
    return [period for period, state in states if state == ReportState.MISSING]


@dataclass(frozen=True)
class MissedStreak:
    """A task's run of missed reports: how many, and from which period (`since` names
    the run, so an escalation for it is never issued twice)."""

    count: int
    since: dt.date | None


def missed_run(
    unfilled: Iterable[dt.date], *, last_reported: dt.date | None, owes: bool = True
) -> MissedStreak:
    """A task's run of missed reports (漏报), from its missing-report records: the
    periods still without a report (`unfilled`, by their first day) that come after the
    latest period it reported for, counted, the first of them naming the run. Any
    report, a late one too, ends a run, since the unit has started reporting again; a
    task that owes no reports (`owes` false: under review, closed) has none.

    The sweep keeps this for every task in sets and `services.taskstate.streak_refresh`
    for one task; a test holds the sweep's statements to this function."""
    if not owes:
        return MissedStreak(0, None)
    run = sorted(p for p in unfilled if last_reported is None or p > last_reported)
    return MissedStreak(len(run), run[0] if run else None)
