"""The office overview (总览): the state of the work at a glance, for the office and
leaders (`access.can_see_overview`).

The figures come from the two latest period snapshots (调度快照, frozen by the sweep):
totals by schedule bucket with the change since the previous period, units ranked by
lag with their district's roll-up, and the counts by category, inspection round and
plan. A few hundred to a few thousand stored rows are read per request, never the task
table. Only three short lists are read live (the ten first overdue tasks, the latest
measures standing, the tasks under public notice), each by an index, and the drafts
awaiting review, which are not in the confirmed ledger at all.

On a fresh install, before any sweep, there is no snapshot: the same figures are then
counted live from the stored buckets (`selectors.counts`), and the page says so.

Every figure carries the ledger filter that lists its tasks (`Figure.query`, the query
string of /tasks/).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, Sum, When
from django.utils.translation import get_language

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotPermitted
from closeout.ledger.models import (
    Category,
    Escalation,
    Inspection,
    Plan,
    Snapshot,
    SnapshotKind,
    SnapshotRow,
    Task,
    Unit,
    UnitLevel,
)
from closeout.ledger.models.plans import PlanStatus
from closeout.ledger.rules.escalation import Trigger
from closeout.ledger.rules.schedule import OPEN_STATES, Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors import counts

LIST_SIZE = 10  # tasks per live list
UNITS_SHOWN = 15  # units in the ranking
DISTRICTS_SHOWN = 20  # districts in the roll-up
UNITS_LOOKED_UP = 500  # above this many units in the rows, the whole registry is read
CACHE_SECONDS = 600  # a snapshot's figures, kept (see `_frozen`)
LAGGING = (Bucket.OVERDUE, Bucket.BEHIND)
# The flags a row counts besides its tasks, and the ledger filter of each.
FLAGS = {"missed": "missing", "rebounds": "rebounded", "escalated": "escalated", "notice": "notice"}


@dataclass(frozen=True)
class Figure:
    """A number and the ledger filter that lists its tasks (`query`, the query string
    of /tasks/); `change` is the difference from the previous period (None when there
    is none to compare with)."""

    n: int
    filters: tuple[tuple[str, Any], ...] = ()
    change: int | None = None
    query: str = ""


def _figure(n: int, base: dict[str, Any], change: int | None = None, **more: Any) -> Figure:
    filters = {**base, **more}
    return Figure(n, tuple(filters.items()), change, urlencode(filters))


@dataclass(frozen=True)
class Line:
    """One row of a breakdown: its tasks in total and per bucket (in `Bucket` order)."""

    label: str
    total: Figure
    buckets: list[Figure]
    lagging: int = 0


@dataclass(frozen=True)
class UnitLag:
    """A unit (or a district's units together) by how far behind it is."""

    unit_id: int
    name: str
    district: str
    tasks: Figure
    overdue: Figure
    behind: Figure
    missed: Figure
    rebounds: Figure

    @property
    def rank_key(self) -> tuple[int, ...]:
        return (-self.overdue.n, -self.behind.n, -self.missed.n, -self.rebounds.n, self.unit_id)


@dataclass(frozen=True)
class TaskItem:
    task_id: int
    seq: int
    text: str
    plan: str
    date: dt.date | None  # due date, notice end or the measure's day
    detail: str = ""


@dataclass
class Overview:
    snapshot: Snapshot | None
    previous: Snapshot | None
    live: bool  # no snapshot yet: counted from the stored buckets now
    total: Figure
    buckets: list[tuple[str, str, Figure]]  # (value, label, figure)
    flags: dict[str, Figure]
    units: list[UnitLag]
    units_lagging: int
    districts: list[UnitLag]
    districts_total: int
    categories: list[Line]
    inspections: list[Line]
    plans: list[Line]
    overdue: list[TaskItem]
    escalated: list[TaskItem]
    notice: list[TaskItem]
    draft_plans: int
    draft_tasks: int
    bucket_labels: list[str] = field(default_factory=list)

    @property
    def overdue_total(self) -> Figure:
        return next(f for value, _label, f in self.buckets if value == Bucket.OVERDUE)


# --- the rows read -------------------------------------------------------------------

# (plan, category, bucket, tasks, missed, rebounds, escalated, notice)
CategoryRow = tuple[int, str, str, int, int, int, int, int]
# (unit, tasks, overdue, behind, missed, rebounds)
UnitRow = tuple[int, int, int, int, int, int]


def _bucket_sum(bucket: str) -> Sum:
    return Sum(Case(When(bucket=bucket, then="tasks"), default=0, output_field=IntegerField()))


def _category_rows(snapshot: Snapshot | None) -> list[CategoryRow]:
    if snapshot is None:
        return [
            (r[0], r[2], r[4], *r[5:])  # type: ignore[misc]
            for r in _live(counts.by_category(), "category")
        ]
    return list(
        SnapshotRow.objects.filter(snapshot=snapshot, kind=SnapshotKind.CATEGORY)
        .order_by()
        .values_list("plan_id", "key", "bucket", *counts.COUNTS)
    )


def _live(rows: Iterable[dict[str, Any]], key: str) -> list[counts.Row]:
    return [
        (r["plan_id"], SnapshotKind.CATEGORY, r[key], None, r["state__bucket"] or "",
         r["n_tasks"], r["n_missed"], r["n_rebounds"], r["n_escalated"], r["n_notice"])
        for r in rows
    ]  # fmt: skip


def _unit_rows(snapshot: Snapshot | None) -> list[UnitRow]:
    if snapshot is None:
        totals: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
        for r in counts.by_unit():
            t = totals[r["unit_id"]]
            bucket = r["task__state__bucket"]
            t[0] += r["n_tasks"]
            t[1] += r["n_tasks"] if bucket == Bucket.OVERDUE else 0
            t[2] += r["n_tasks"] if bucket == Bucket.BEHIND else 0
            t[3] += r["n_missed"]
            t[4] += r["n_rebounds"]
        return [(unit, *values) for unit, values in totals.items()]  # type: ignore[misc]
    return list(
        SnapshotRow.objects.filter(snapshot=snapshot, kind=SnapshotKind.UNIT)
        .order_by()
        .values("unit_id")
        .annotate(
            t=Sum("tasks"), o=_bucket_sum(Bucket.OVERDUE), b=_bucket_sum(Bucket.BEHIND),
            m=Sum("missed"), r=Sum("rebounds"),
        )
        .values_list("unit_id", "t", "o", "b", "m", "r")
    )  # fmt: skip


def _bucket_totals(snapshot: Snapshot) -> dict[str, int]:
    rows = (
        SnapshotRow.objects.filter(snapshot=snapshot, kind=SnapshotKind.CATEGORY)
        .order_by()
        .values("bucket")
        .annotate(n=Sum("tasks"))
        .values_list("bucket", "n")
    )
    return {bucket: n or 0 for bucket, n in rows}


# --- the page -------------------------------------------------------------------------


def overview(actor: Actor) -> Overview:
    """The office overview as of the latest snapshot (see the module)."""
    if not access.can_see_overview(actor):
        raise NotPermitted("the overview is for the rectification office and leaders")
    latest = list(Snapshot.objects.order_by("-period_start")[:2])
    snapshot = latest[0] if latest else None
    previous = latest[1] if len(latest) > 1 else None
    return Overview(
        snapshot=snapshot,
        previous=previous,
        live=snapshot is None,
        **_frozen(snapshot, previous),
        overdue=_overdue(),
        escalated=_escalated(),
        notice=_notice(),
        draft_plans=Plan.objects.filter(status=PlanStatus.DRAFT).count(),
        draft_tasks=Task.objects.filter(plan__status=PlanStatus.DRAFT).count(),
    )


def _frozen(snapshot: Snapshot | None, previous: Snapshot | None) -> dict[str, Any]:
    """The figures of a snapshot (compared with the previous one), kept in the cache:
    they change only when a sweep rewrites the snapshot (a new `taken_at`), a new
    period begins or a unit is renamed (within CACHE_SECONDS)."""
    if snapshot is None:
        return _figures(None, None)
    key = ":".join(
        str(part)
        for part in ("closeout-overview", snapshot.pk, snapshot.taken_at.timestamp(),
                     snapshot.as_of, previous.pk if previous else 0, get_language())
    )  # fmt: skip
    found = cache.get(key)
    if found is None:
        found = _figures(snapshot, previous)
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def _figures(snapshot: Snapshot | None, previous: Snapshot | None) -> dict[str, Any]:
    rows = _category_rows(snapshot)
    before = _bucket_totals(previous) if previous is not None else None

    per_bucket: dict[str, int] = defaultdict(int)
    flags: dict[str, int] = defaultdict(int)
    for _plan, _cat, bucket, tasks, *rest in rows:
        per_bucket[bucket] += tasks
        for name, n in zip(counts.COUNTS[1:], rest, strict=True):
            flags[name] += n
    total = sum(per_bucket.values())

    def change(bucket: str | None) -> int | None:
        if before is None:
            return None
        if bucket is None:
            return total - sum(before.values())
        return per_bucket.get(bucket, 0) - before.get(bucket, 0)

    units, lagging, districts = _units(_unit_rows(snapshot))
    categories = {value: str(label) for value, label in Category.choices}
    return {
        "total": _figure(total, {}, change(None)),
        "buckets": [
            (value, str(label), _figure(per_bucket.get(value, 0), {"bucket": value}, change(value)))
            for value, label in Bucket.choices
        ],
        "flags": {name: _figure(flags[name], {param: 1}) for name, param in FLAGS.items()},
        "units": units,
        "units_lagging": lagging,
        "districts": districts[:DISTRICTS_SHOWN],
        "districts_total": len(districts),
        "categories": _breakdown(rows, 1, "category", categories),
        "inspections": _inspections(rows),
        "plans": _breakdown(rows, 0, "plan", _plan_titles({r[0] for r in rows})),
        "bucket_labels": [str(label) for _, label in Bucket.choices],
    }


def _line(label: str, base: dict[str, Any], per_bucket: dict[str, int]) -> Line:
    return Line(
        label,
        _figure(sum(per_bucket.values()), base),
        [_figure(per_bucket.get(b, 0), base, bucket=b) for b in Bucket.values],
        sum(per_bucket.get(b, 0) for b in LAGGING),
    )


def _breakdown(
    rows: list[CategoryRow], column: int, param: str, labels: dict[Any, str]
) -> list[Line]:
    """Lines per value of one column (0: plan, 1: category), the most lagging first."""
    grouped: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        grouped[row[column]][row[2]] += row[3]
    lines = [
        _line(str(labels.get(value, value)), {param: value}, per) for value, per in grouped.items()
    ]
    return sorted(lines, key=lambda line: (-line.lagging, -line.total.n, line.label))


def _plan_titles(ids: set[int]) -> dict[int, str]:
    return dict(Plan.objects.filter(pk__in=ids).values_list("id", "title"))


def _inspections(rows: list[CategoryRow]) -> list[Line]:
    """Lines per inspection round, through the plans that answer it (a plan answering
    two rounds counts under each)."""
    plans: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        plans[row[0]][row[2]] += row[3]
    links = Plan.inspections.through.objects.filter(plan_id__in=list(plans)).values_list(
        "inspection_id", "plan_id"
    )
    grouped: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for inspection_id, plan_id in links:
        for bucket, n in plans[plan_id].items():
            grouped[inspection_id][bucket] += n
    names = dict(Inspection.objects.filter(pk__in=list(grouped)).values_list("id", "name"))
    lines = [_line(names.get(i, str(i)), {"inspection": i}, per) for i, per in grouped.items()]
    return sorted(lines, key=lambda line: (-line.lagging, -line.total.n, line.label))


# A unit as the ranking needs it: (name, level, ancestor ids from the root).
UnitInfo = tuple[str, str, list[int]]


def _unit_info(ids: Iterable[int] | None) -> dict[int, UnitInfo]:
    """Units by id (every unit when `ids` is None: one scan of the registry costs less
    than a lookup of thousands of ids)."""
    units = Unit.objects.all() if ids is None else Unit.objects.filter(pk__in=list(ids))
    found = units.order_by().values_list("id", "name", "full_name", "level", "path")
    return {
        pk: (full or name, level, [int(p) for p in path.strip("/").split("/") if p])
        for pk, name, full, level, path in found
    }


def _district_of(unit_id: int, info: dict[int, UnitInfo]) -> int:
    """The district (区县) a unit belongs to: the topmost unit of its path at the district
    level; a unit above that level counts with its city's units (the topmost unit of its
    path at the city level), or, above that, with the root of its tree."""
    path = info[unit_id][2] or [unit_id]
    for level in (UnitLevel.COUNTY, UnitLevel.CITY):
        for ancestor_id in path:
            ancestor = info.get(ancestor_id)
            if ancestor is not None and ancestor[1] == level:
                return ancestor_id
    return path[0] if path[0] in info else unit_id


def _rank(values: tuple[int, ...] | list[int], unit_id: int) -> tuple[int, ...]:
    _tasks, overdue, behind, missed, rebounds = values
    return (-overdue, -behind, -missed, -rebounds, unit_id)


def _units(rows: list[UnitRow]) -> tuple[list[UnitLag], int, list[UnitLag]]:
    """The units ranked by lag (the first UNITS_SHOWN lagging ones), how many lag, and
    the districts' roll-up (every unit of a district together), ranked alike."""
    if len(rows) > UNITS_LOOKED_UP:
        info = _unit_info(None)
    else:
        info = _unit_info(r[0] for r in rows)
        ancestors = {a for _name, _level, path in info.values() for a in path} - set(info)
        info.update(_unit_info(ancestors))

    def lag(unit_id: int, district_id: int, values: Iterable[int]) -> UnitLag:
        tasks, overdue, behind, missed, rebounds = values
        base = {"unit": unit_id}
        return UnitLag(
            unit_id, info[unit_id][0], info[district_id][0] if district_id != unit_id else "",
            _figure(tasks, base), _figure(overdue, base, bucket=Bucket.OVERDUE),
            _figure(behind, base, bucket=Bucket.BEHIND), _figure(missed, base, missing=1),
            _figure(rebounds, base, rebounded=1),
        )  # fmt: skip

    lagging: list[tuple[tuple[int, ...], int, int, tuple[int, ...]]] = []
    rolled: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
    for unit_id, *values in rows:
        if unit_id not in info:
            continue
        counts_ = tuple(n or 0 for n in values)
        district = _district_of(unit_id, info)
        if any(counts_[1:]):
            lagging.append((_rank(counts_, unit_id), unit_id, district, counts_))
        total = rolled[district]
        for i, n in enumerate(counts_):
            total[i] += n
    lagging.sort()
    ranked = [lag(unit_id, district, c) for _key, unit_id, district, c in lagging[:UNITS_SHOWN]]
    districts = [
        lag(d, d, values) for d, values in sorted(rolled.items(), key=lambda i: _rank(i[1], i[0]))
    ]
    return ranked, len(lagging), districts


# --- the live lists -------------------------------------------------------------------


def _item(task: Task, date: dt.date | None, detail: str = "") -> TaskItem:
    return TaskItem(task.pk, task.seq, task.text[:80], task.plan.title, date, detail)


def _tasks() -> Any:
    # The status too: the task model reads it when it is built (its state machine).
    return Task.objects.select_related("plan").only("id", "status", "seq", "text", "plan__title")


def _overdue() -> list[TaskItem]:
    """The open tasks longest past their due date (overdue, as of today): the first
    few of each open state by the index on (status, due date), merged."""
    today = clock.today()
    first: list[tuple[dt.date, int]] = []
    for status in sorted(OPEN_STATES):
        first += (
            Task.objects.filter(status=status, due_date__lt=today)
            .order_by("due_date", "id")
            .values_list("due_date", "id")[:LIST_SIZE]
        )
    first = sorted(first)[:LIST_SIZE]
    tasks = _tasks().in_bulk([pk for _due, pk in first])
    return [_item(tasks[pk], due) for due, pk in first if pk in tasks]


def _escalated() -> list[TaskItem]:
    """The tasks of the latest measures still standing, one line per task: the latest
    few of each trigger by the index on (lifted on, trigger), merged."""
    measures: list[tuple[int, int, str, dt.date]] = []
    for trigger in Trigger.values:
        measures += (
            Escalation.objects.filter(lifted_on__isnull=True, trigger=trigger)
            .order_by("-id")
            .values_list("id", "task_id", "level", "issued_on")[: LIST_SIZE * 2]
        )
    first: dict[int, tuple[str, dt.date]] = {}
    for _id, task_id, level, issued_on in sorted(measures, reverse=True):
        first.setdefault(task_id, (level, issued_on))
        if len(first) == LIST_SIZE:
            break
    labels = dict(Escalation._meta.get_field("level").choices or [])  # type: ignore[arg-type]
    tasks = _tasks().in_bulk(list(first))
    return [
        _item(tasks[pk], issued, str(labels.get(level, level)))
        for pk, (level, issued) in first.items()
        if pk in tasks
    ]


def _notice() -> list[TaskItem]:
    """The first tasks under public notice (公示), by the index on status (ordering by
    the notice's end would sort every task under notice)."""
    found = (
        _tasks()
        .filter(Q(status=Status.NOTICE))
        .only("id", "status", "seq", "text", "plan__title", "notice_until")
        .order_by("id")[:LIST_SIZE]
    )
    return [_item(task, task.notice_until) for task in found]


__all__ = ["Figure", "Line", "Overview", "TaskItem", "UnitLag", "overview"]
