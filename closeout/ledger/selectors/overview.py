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

from django.db.models import Case, IntegerField, Q, Sum, When

from closeout.ledger import access
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
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors import counts

LIST_SIZE = 10  # tasks per live list
UNITS_SHOWN = 15  # units in the ranking
LAGGING = (Bucket.OVERDUE, Bucket.BEHIND)
# The flags a row counts besides its tasks, and the ledger filter of each.
FLAGS = {"missed": "missing", "rebounds": "rebounded", "escalated": "escalated", "notice": "notice"}


@dataclass(frozen=True)
class Figure:
    """A number and the ledger filter that lists its tasks; `change` is the difference
    from the previous period (None when there is none to compare with)."""

    n: int
    filters: tuple[tuple[str, Any], ...] = ()
    change: int | None = None

    @property
    def query(self) -> str:
        return urlencode(self.filters)


def _figure(n: int, base: dict[str, Any], change: int | None = None, **more: Any) -> Figure:
    return Figure(n, tuple({**base, **more}.items()), change)


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
    return Overview(
        snapshot=snapshot,
        previous=previous,
        live=snapshot is None,
        total=_figure(total, {}, change(None)),
        buckets=[
            (value, str(label), _figure(per_bucket.get(value, 0), {"bucket": value}, change(value)))
            for value, label in Bucket.choices
        ],
        flags={name: _figure(flags[name], {param: 1}) for name, param in FLAGS.items()},
        units=units,
        units_lagging=lagging,
        districts=districts,
        categories=_breakdown(
            rows, 1, "category", {v: str(label) for v, label in Category.choices}
        ),
        inspections=_inspections(rows),
        plans=_breakdown(rows, 0, "plan", _plan_titles({r[0] for r in rows})),
        overdue=_overdue(),
        escalated=_escalated(),
        notice=_notice(),
        draft_plans=Plan.objects.filter(status=PlanStatus.DRAFT).count(),
        draft_tasks=Task.objects.filter(plan__status=PlanStatus.DRAFT).count(),
        bucket_labels=[str(label) for _, label in Bucket.choices],
    )


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


def _district_of(unit: Unit, by_id: dict[int, Unit]) -> Unit:
    """The district (区县) a unit belongs to: the topmost unit of its path at the district
    level; a unit above that level stands for itself."""
    for ancestor_id in unit.ancestor_ids:
        ancestor = by_id.get(ancestor_id)
        if ancestor is not None and ancestor.level == UnitLevel.COUNTY:
            return ancestor
    return unit


def _units(rows: list[UnitRow]) -> tuple[list[UnitLag], int, list[UnitLag]]:
    """The units ranked by lag (the first UNITS_SHOWN lagging ones), how many lag, and
    the districts' roll-up (every unit of a district together), ranked alike."""
    ids = {r[0] for r in rows}
    units = Unit.objects.in_bulk(ids)
    ancestors = {a for u in units.values() for a in u.ancestor_ids} - ids
    by_id = {**units, **Unit.objects.in_bulk(ancestors)}

    def lag(unit: Unit, district: Unit, values: Iterable[int]) -> UnitLag:
        tasks, overdue, behind, missed, rebounds = values
        base = {"unit": unit.pk}
        return UnitLag(
            unit.pk, str(unit), str(district) if district.pk != unit.pk else "",
            _figure(tasks, base), _figure(overdue, base, bucket=Bucket.OVERDUE),
            _figure(behind, base, bucket=Bucket.BEHIND), _figure(missed, base, missing=1),
            _figure(rebounds, base, rebounded=1),
        )  # fmt: skip

    ranked: list[UnitLag] = []
    rolled: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
    for unit_id, *values in rows:
        unit = by_id.get(unit_id)
        if unit is None:
            continue
        district = _district_of(unit, by_id)
        ranked.append(lag(unit, district, values))
        total = rolled[district.pk]
        for i, n in enumerate(values):
            total[i] += n or 0
    lagging = sorted((u for u in ranked if any(x.n for x in (u.overdue, u.behind, u.missed,
                                                              u.rebounds))),
                     key=lambda u: u.rank_key)  # fmt: skip
    districts = sorted(
        (lag(by_id[d], by_id[d], values) for d, values in rolled.items()),
        key=lambda u: u.rank_key,
    )
    return lagging[:UNITS_SHOWN], len(lagging), districts


# --- the live lists -------------------------------------------------------------------


def _item(task: Task, date: dt.date | None, detail: str = "") -> TaskItem:
    return TaskItem(task.pk, task.seq, task.text[:80], task.plan.title, date, detail)


def _tasks() -> Any:
    return Task.objects.select_related("plan").only("id", "seq", "text", "plan__title")


def _overdue() -> list[TaskItem]:
    """The overdue tasks longest past their due date (the index on due date, id)."""
    found = (
        _tasks()
        .filter(state__bucket=Bucket.OVERDUE, due_date__isnull=False)
        .only("id", "seq", "text", "plan__title", "due_date")
        .order_by("due_date", "id")[:LIST_SIZE]
    )
    return [_item(task, task.due_date) for task in found]


def _escalated() -> list[TaskItem]:
    """The tasks of the latest measures still standing, one line per task."""
    measures = (
        Escalation.objects.filter(lifted_on__isnull=True)
        .order_by("-id")
        .values_list("task_id", "level", "issued_on")[: LIST_SIZE * 4]
    )
    first: dict[int, tuple[str, dt.date]] = {}
    for task_id, level, issued_on in measures:
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
    """The tasks under public notice (公示), those ending first."""
    found = (
        _tasks()
        .filter(Q(status=Status.NOTICE))
        .only("id", "seq", "text", "plan__title", "notice_until")
        .order_by("notice_until", "id")[:LIST_SIZE]
    )
    return [_item(task, task.notice_until) for task in found]


__all__ = ["Figure", "Line", "Overview", "TaskItem", "UnitLag", "overview"]
