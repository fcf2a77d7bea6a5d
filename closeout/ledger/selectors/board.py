"""Reads of the leader board (挂图作战): bucket shares over the frozen periods, the units
ranked by lag, the burn-down towards the deadlines, the timeline of one problem and the
plan's indicators against their targets.

Everything but the problem's timeline and the indicators comes from the period snapshots
(`Snapshot`, `SnapshotRow`: a few thousand rows per period), never from counting tasks,
so the board costs the same on a thousand tasks and on a million. The figures of a period
are kept in the cache under the latest snapshot's id and time: they change only when a
sweep rewrites that snapshot or a new period begins (and a renamed unit shows its new
name within CACHE_SECONDS).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound, NotPermitted
from closeout.ledger.models import (
    Indicator,
    IndicatorReading,
    Plan,
    PlanStatus,
    Problem,
    Snapshot,
    SnapshotKind,
    SnapshotRow,
    Task,
    Unit,
)
from closeout.ledger.rules.indicators import meets
from closeout.ledger.rules.schedule import Bucket

T = TypeVar("T")
DONE_BUCKETS = (Bucket.DONE, Bucket.SUSTAINED)
SERIES_PERIODS = 26  # half a year of weekly dispatches
RANKED_UNITS = 15
TIMELINE_TASKS = 60
CACHE_SECONDS = 600


def _require(actor: Actor) -> None:
    if not access.can_see_board(actor):
        raise NotPermitted(_("The board is for the rectification office and the leaders."))


def _cached(name: str, plan: Plan | None, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the cache for the latest snapshot as it was written."""
    latest = Snapshot.objects.order_by("-period_start").values_list("pk", "taken_at").first()
    if latest is None:
        return compute()
    key = f"closeout-board:{name}:{plan.pk if plan else 0}:{latest[0]}:{latest[1].timestamp()}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


@dataclass(frozen=True)
class BoardScope:
    """Which plan the board shows (None: every confirmed plan) and the plans to pick from."""

    plan: Plan | None
    plans: list[Plan]


def board_scope(actor: Actor, plan_id: int | None) -> BoardScope:
    _require(actor)
    plans = list(
        Plan.objects.filter(status=PlanStatus.CONFIRMED).order_by("-issued_on", "-id")[:200]
    )
    plan = None
    if plan_id is not None:
        plan = next((p for p in plans if p.pk == plan_id), None)
        if plan is None:
            plan = Plan.objects.filter(pk=plan_id, status=PlanStatus.CONFIRMED).first()
        if plan is None:
            raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    return BoardScope(plan=plan, plans=plans)


@dataclass(frozen=True)
class PeriodCounts:
    """The tasks in each bucket at the end of one period (as of its last sweep)."""

    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    buckets: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.buckets.values())

    @property
    def open(self) -> int:
        return self.total - sum(self.buckets.get(b, 0) for b in DONE_BUCKETS)

    def share(self, bucket: str) -> float:
        """The bucket's share of the counted tasks, 0..1 (0 when there are none)."""
        return self.buckets.get(bucket, 0) / self.total if self.total else 0.0


def _rows(plan: Plan | None, kind: str, snapshots: list[int]) -> Q:
    q = Q(snapshot_id__in=snapshots, kind=kind)
    return q & Q(plan_id=plan.pk) if plan is not None else q


def bucket_series(
    actor: Actor, plan: Plan | None = None, periods: int = SERIES_PERIODS
) -> list[PeriodCounts]:
    """The last `periods` frozen periods, oldest first, with their bucket counts."""
    _require(actor)
    return _cached(f"series{periods}", plan, lambda: _series(plan, periods))


def _series(plan: Plan | None, periods: int) -> list[PeriodCounts]:
    snapshots = list(
        Snapshot.objects.order_by("-period_start").values_list(
            "pk", "period_start", "period_end", "as_of"
        )[:periods]
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        SnapshotRow.objects.filter(_rows(plan, SnapshotKind.CATEGORY, [s[0] for s in snapshots]))
        .values_list("snapshot_id", "bucket")
        .annotate(n=Sum("tasks"))
    )
    for snapshot_id, bucket, n in rows:
        counts[snapshot_id][bucket] = n
    return [
        PeriodCounts(start, end, as_of, {b: counts[pk].get(b, 0) for b in Bucket.values})
        for pk, start, end, as_of in reversed(snapshots)
    ]


@dataclass(frozen=True)
class UnitLag:
    """A lead unit's tasks in the latest period: how many are overdue or behind, miss
    reports or have rebounded, of how many."""

    unit_id: int
    name: str
    tasks: int
    overdue: int
    behind: int
    missed: int
    rebounds: int

    @property
    def lagging(self) -> int:
        return self.overdue + self.behind


def lag_key(row: UnitLag) -> tuple[int, int, int, int, str]:
    """The ranking (most behind first): overdue, then behind, then missed reports, then
    rebounds; ties by name, so the order is stable."""
    return (-row.overdue, -row.behind, -row.missed, -row.rebounds, row.name)


def unit_ranking(
    actor: Actor, plan: Plan | None = None, limit: int = RANKED_UNITS
) -> list[UnitLag]:
    """The lead units of the latest period ranked by lag; units with nothing lagging,
    missed or rebounded are left out."""
    _require(actor)
    return _cached(f"ranking{limit}", plan, lambda: _ranking(plan, limit))


def _ranking(plan: Plan | None, limit: int) -> list[UnitLag]:
    latest = Snapshot.objects.order_by("-period_start").values_list("pk", flat=True).first()
    if latest is None:
        return []
    rows = SnapshotRow.objects.filter(
        _rows(plan, SnapshotKind.UNIT, [latest]), unit__isnull=False
    ).values_list("unit_id", "bucket")
    return ranked_units(rows)[0][:limit]


def ranked_units(rows: QuerySet[SnapshotRow, Any]) -> tuple[list[UnitLag], int]:
    """The lead units of a snapshot's unit rows (`values_list("unit_id", "bucket")`)
    with something overdue, behind, missed or rebounded, most behind first
    (`lag_key`), and how many lead units the rows counted."""
    per_unit: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sums = rows.annotate(n=Sum("tasks"), missed=Sum("missed"), rebounds=Sum("rebounds"))
    for unit_id, bucket, n, missed, rebounds in sums:
        figures = per_unit[unit_id]
        figures["tasks"] += n
        figures[bucket] += n
        figures["missed"] += missed
        figures["rebounds"] += rebounds
    names = dict(Unit.objects.filter(pk__in=list(per_unit)).values_list("pk", "name"))
    ranked = [
        UnitLag(
            unit_id=unit_id,
            name=names.get(unit_id, str(unit_id)),
            tasks=f["tasks"],
            overdue=f[Bucket.OVERDUE],
            behind=f[Bucket.BEHIND],
            missed=f["missed"],
            rebounds=f["rebounds"],
        )
        for unit_id, f in per_unit.items()
    ]
    ranked = [r for r in ranked if r.lagging or r.missed or r.rebounds]
    return sorted(ranked, key=lag_key), len(per_unit)



@dataclass(frozen=True)
class BurnPoint:
    """The open tasks at a date: `actual` from a frozen period (None past the last one),
    `planned` if every task were closed out by its deadline (None without due dates)."""

    date: dt.date
    actual: int | None
    planned: int | None


def _month_end(key: str) -> dt.date | None:
    try:
        year, month = (int(part) for part in key.split("-"))
        first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    except (ValueError, TypeError):
        return None
    return first_next - dt.timedelta(days=1)


def burn_down(actor: Actor, plan: Plan | None = None) -> list[BurnPoint]:
    """The open tasks of each frozen period, beside the line they would follow if every
    task were closed out in the month it is due (from the latest period's tasks by due
    month). Tasks without a due date (立行立改, 长期坚持) are on neither line."""
    series = bucket_series(actor, plan)
    return _cached("burn", plan, lambda: _burn(plan, series))


def _burn(plan: Plan | None, series: list[PeriodCounts]) -> list[BurnPoint]:
    if not series:
        return []
    latest = Snapshot.objects.order_by("-period_start").values_list("pk", flat=True).first()
    if latest is None:  # swept away between the two reads
        return []
    due: dict[dt.date, int] = defaultdict(int)
    undated_open: dict[str, int] = defaultdict(int)
    rows = (
        SnapshotRow.objects.filter(_rows(plan, SnapshotKind.DUE, [latest]))
        .values_list("key", "bucket")
        .annotate(n=Sum("tasks"))
    )
    for key, bucket, n in rows:
        end = _month_end(key)
        if end is None:
            undated_open[bucket] += n
        else:
            due[end] += n
    dated_total = sum(due.values())

    def planned(day: dt.date) -> int:
        return dated_total - sum(n for end, n in due.items() if end <= day)

    undated = sum(undated_open.values()) - sum(undated_open.get(b, 0) for b in DONE_BUCKETS)
    points = {
        p.period_end: BurnPoint(p.period_end, max(0, p.open - undated), planned(p.period_end))
        for p in series
    }
    for end in due:
        if end > series[-1].period_end:
            points[end] = BurnPoint(end, None, planned(end))
    return [points[day] for day in sorted(points)]


@dataclass(frozen=True)
class TimelineTask:
    """One task of a problem on its timeline: from its start to its due date, with the
    day it was closed and its schedule bucket."""

    task_id: int
    seq: int
    label: str
    start: dt.date | None
    due: dt.date | None
    closed_on: dt.date | None
    bucket: str
    progress: int


@dataclass(frozen=True)
class ProblemTimeline:
    problem: Problem
    tasks: list[TimelineTask]
    more: int  # tasks beyond the TIMELINE_TASKS shown


def problem_timeline(actor: Actor, problem_id: int) -> ProblemTimeline:
    """The problem's tasks the actor may see, in order, for its Gantt chart."""
    _require(actor)
    problem = Problem.objects.select_related("plan").filter(pk=problem_id).first()
    if problem is None or problem.plan.status != PlanStatus.CONFIRMED:
        raise NotFound(_("problem %(problem)s does not exist") % {"problem": problem_id})
    tasks = access.visible_tasks(actor, Task.objects.filter(problem_id=problem_id)).order_by("seq")
    rows = list(
        tasks.values_list(
            "pk", "seq", "text", "start_date", "due_date", "closed_on", "state__bucket", "progress"
        )[: TIMELINE_TASKS + 1]
    )
    shown = [
        TimelineTask(
            pk,
            seq,
            text if len(text) <= 24 else text[:23] + "…",
            start,
            due,
            closed,
            bucket or "",
            progress,
        )
        for pk, seq, text, start, due, closed, bucket, progress in rows[:TIMELINE_TASKS]
    ]
    more = tasks.count() - TIMELINE_TASKS if len(rows) > TIMELINE_TASKS else 0
    return ProblemTimeline(problem, shown, more)


@dataclass(frozen=True)
class IndicatorTrack:
    """An indicator with its readings, oldest first, and whether the latest meets the
    target."""

    indicator: Indicator
    readings: list[tuple[dt.date, Decimal]]

    @property
    def latest(self) -> Decimal | None:
        return self.readings[-1][1] if self.readings else None

    @property
    def met(self) -> bool | None:
        if self.latest is None:
            return None
        return meets(self.indicator.direction, self.indicator.target, self.latest)


def plan_indicators(actor: Actor, plan: Plan | None) -> list[IndicatorTrack]:
    """The indicators of the plan (of every confirmed plan when None), with readings."""
    _require(actor)
    indicators = Indicator.objects.select_related("plan").filter(plan__status=PlanStatus.CONFIRMED)
    if plan is not None:
        indicators = indicators.filter(plan=plan)
    found = list(indicators.order_by("plan_id", "name")[:50])
    readings: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for indicator_id, day, value in (
        IndicatorReading.objects.filter(indicator__in=found)
        .order_by("date")
        .values_list("indicator_id", "date", "value")
    ):
        readings[indicator_id].append((day, value))
    return [IndicatorTrack(i, readings[i.pk]) for i in found]


def indicator_track(actor: Actor, indicator_id: int) -> IndicatorTrack:
    _require(actor)
    indicator = (
        Indicator.objects.select_related("plan")
        .filter(pk=indicator_id, plan__status=PlanStatus.CONFIRMED)
        .first()
    )
    if indicator is None:
        raise NotFound(_("indicator %(id)s does not exist") % {"id": indicator_id})
    values = list(indicator.readings.order_by("date").values_list("date", "value"))
    return IndicatorTrack(indicator, values)
