"""The figures of a circular (调度通报) for one reporting period, for the office and the
leaders (`access.can_see_overview`).

A circular once sent must say the same thing when it is generated again next month, so
nothing here reads the ledger's live state:

- the totals by schedule bucket, the ranking of lead units and the bucket series of the
  chart come from the frozen period snapshots (调度快照, `Snapshot`, `SnapshotRow`): the
  snapshot whose period contains `period_end`;
- "the change since last" compares with the previous snapshot period (the period just
  before, whether or not a circular was issued for it: a weekly dispatch compares week
  with week, and which circulars happened to be generated must not move a figure);
- the lists of overdue (逾期) and lagging (滞后) tasks are derived, as of the snapshot's
  day (`Snapshot.as_of`, the day of its last sweep, so that lists and totals agree),
  from dated facts only: due dates, the close-out steps (备案 / 回头看发现反弹) taken by
  that day, the progress reports submitted by then, the milestones reached by then and
  the missed reports (漏报) recorded and not yet filled by then. The bucket rule is the
  pure `rules.schedule.schedule_status`;
- the escalation measures (督办措施) issued within the period (`issued_on`; a measure is
  never rewritten) and the look-back checks (回头看) recorded within it (`checked_on`).

Known limits of "as of": a task cancelled after the period leaves the past lists (its
status is live), and a milestone whose date the office edits later moves its expectation.
A snapshot of the period still running changes with each sweep, as the period does.

Multi-step: 1. find the snapshot (and the previous one); 2. sum its category rows by
bucket; 3. rank its unit rows (`board.lag_key`); 4. walk the open tasks due first,
chunk by chunk, applying the bucket rule as of the day, until the lists are full.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    CloseoutStep,
    Escalation,
    LookbackCheck,
    Milestone,
    MissedReport,
    Plan,
    PlanStatus,
    ProgressReport,
    Snapshot,
    SnapshotKind,
    SnapshotRow,
    Task,
    TaskUnit,
)
from closeout.ledger.models.closeouts import StepKind
from closeout.ledger.models.lookbacks import LookbackState
from closeout.ledger.rules.schedule import (
    COUNTED_STATES,
    Bucket,
    MilestoneFacts,
    ScheduleFacts,
    schedule_status,
)
from closeout.ledger.selectors.board import PeriodCounts, UnitLag, ranked_units

LIST_SIZE = 30  # tasks in each list of the circular
RANKED_UNITS = 40
SERIES_PERIODS = 8  # the periods in the chart of bucket shares
MEASURES_SHOWN = 60
LOOKBACKS_SHOWN = 60
CHUNK = 1000  # open tasks read at a time while looking for lagging ones


@dataclass(frozen=True)
class ListedTask:
    """A task in one of the lists: what it is, who leads it, its due date and the
    progress it had (reported) and needed as of the day."""

    task_id: int
    seq: int
    plan: str
    text: str
    units: str
    due: dt.date | None
    deadline: str
    progress: int
    expected: int | None
    days_overdue: int = 0


@dataclass(frozen=True)
class Measure:
    """An escalation measure (督办措施) issued in the period."""

    issued_on: dt.date
    level: str
    unit: str
    task_seq: int
    task: str
    reason: str
    issued_by: str


@dataclass(frozen=True)
class LookbackResult:
    """A look-back check (回头看) recorded in the period."""

    checked_on: dt.date
    task_seq: int
    task: str
    unit: str
    months: int
    rebound: bool
    findings: str


@dataclass(frozen=True)
class CircularFigures:
    """Everything a circular says, frozen as of its period (see the module)."""

    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    plan_id: int | None
    plan_title: str
    buckets: dict[str, int]  # every bucket, in `Bucket` order
    previous_end: dt.date | None
    previous_buckets: dict[str, int] | None
    ranking: list[UnitLag]
    units_counted: int
    overdue: list[ListedTask]
    overdue_total: int
    lagging: list[ListedTask]
    lagging_total: int
    measures: list[Measure]
    measures_total: int
    lookbacks: list[LookbackResult]
    lookbacks_total: int
    series: list[PeriodCounts] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.buckets.values())

    def change(self, bucket: str | None = None) -> int | None:
        """This period's count minus the previous period's (None without one); the
        total when `bucket` is None."""
        if self.previous_buckets is None:
            return None
        if bucket is None:
            return self.total - sum(self.previous_buckets.values())
        return self.buckets.get(bucket, 0) - self.previous_buckets.get(bucket, 0)

    @property
    def key(self) -> str:
        """The key of this circular's number (`numbering.document_number`)."""
        base = f"circular:{self.period_end.isoformat()}"
        return f"{base}:{self.plan_id}" if self.plan_id is not None else base


def _require(actor: Actor) -> None:
    if not (access.can_see_overview(actor) or access.can_see_board(actor)):
        raise NotPermitted(_("Circulars are for the rectification office and the leaders."))


def circular_periods(actor: Actor, limit: int = 52) -> list[tuple[dt.date, dt.date]]:
    """The frozen periods a circular can be written for, latest first."""
    _require(actor)
    return list(
        Snapshot.objects.order_by("-period_start").values_list("period_start", "period_end")[
            :limit
        ]
    )


def snapshot_for(period_end: dt.date | None) -> Snapshot:
    """The snapshot whose period contains `period_end` (the latest one when None)."""
    found = Snapshot.objects.order_by("-period_start")
    if period_end is not None:
        found = found.filter(period_start__lte=period_end, period_end__gte=period_end)
    snapshot = found.first()
    if snapshot is None:
        if period_end is None:
            raise NotFound(_("There is no period snapshot yet: run the sweep first."))
        raise NotFound(
            _("No period snapshot contains %(day)s.") % {"day": period_end.isoformat()}
        )
    return snapshot


def circular_figures(
    actor: Actor, period_end: dt.date | None, plan_id: int | None = None
) -> CircularFigures:
    """The circular's figures for the period containing `period_end` (None: the latest
    period), of every confirmed plan or of one."""
    _require(actor)
    plan = None
    if plan_id is not None:
        plan = Plan.objects.filter(pk=plan_id, status=PlanStatus.CONFIRMED).first()
        if plan is None:
            raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    snapshot = snapshot_for(period_end)
    previous = (
        Snapshot.objects.filter(period_start__lt=snapshot.period_start)
        .order_by("-period_start")
        .first()
    )
    day = snapshot.as_of
    overdue, overdue_total, lagging = _lists(day, plan_id)
    buckets = _buckets(snapshot, plan_id)
    measures = _measures(snapshot, plan_id)
    lookbacks = _lookbacks(snapshot, plan_id)
    ranking, units_counted = _ranking(snapshot, plan_id)
    return CircularFigures(
        period_start=snapshot.period_start,
        period_end=snapshot.period_end,
        as_of=day,
        plan_id=plan_id,
        plan_title=plan.title if plan is not None else "",
        buckets=buckets,
        previous_end=previous.period_end if previous is not None else None,
        previous_buckets=_buckets(previous, plan_id) if previous is not None else None,
        ranking=ranking,
        units_counted=units_counted,
        overdue=overdue,
        overdue_total=overdue_total,
        lagging=lagging,
        # The lagging total is the snapshot's: the list walks the tasks due first only.
        lagging_total=buckets[Bucket.BEHIND],
        measures=measures[0],
        measures_total=measures[1],
        lookbacks=lookbacks[0],
        lookbacks_total=lookbacks[1],
        series=_series(snapshot, plan_id),
    )


# --- from the snapshot ---------------------------------------------------------------


def _snapshot_rows(snapshot: Snapshot, kind: str, plan_id: int | None) -> QuerySet[SnapshotRow]:
    rows = SnapshotRow.objects.filter(snapshot=snapshot, kind=kind).order_by()
    return rows.filter(plan_id=plan_id) if plan_id is not None else rows


def _buckets(snapshot: Snapshot, plan_id: int | None) -> dict[str, int]:
    found = dict(
        _snapshot_rows(snapshot, SnapshotKind.CATEGORY, plan_id)
        .values("bucket")
        .annotate(n=Sum("tasks"))
        .values_list("bucket", "n")
    )
    return {b: found.get(b) or 0 for b in Bucket.values}


def _series(snapshot: Snapshot, plan_id: int | None) -> list[PeriodCounts]:
    """The bucket counts of the last SERIES_PERIODS periods up to this one, oldest first."""
    snapshots = list(
        Snapshot.objects.filter(period_start__lte=snapshot.period_start).order_by(
            "-period_start"
        )[:SERIES_PERIODS]
    )
    return [
        PeriodCounts(s.period_start, s.period_end, s.as_of, _buckets(s, plan_id))
        for s in reversed(snapshots)
    ]


def _ranking(snapshot: Snapshot, plan_id: int | None) -> tuple[list[UnitLag], int]:
    """The lead units with something overdue, behind, missed or rebounded, most behind
    first (`board.lag_key`), and how many lead units the period counted."""
    rows = (
        _snapshot_rows(snapshot, SnapshotKind.UNIT, plan_id)
        .filter(unit__isnull=False)
        .values_list("unit_id", "bucket")
    )
    ranked, counted = ranked_units(rows)
    return ranked[:RANKED_UNITS], counted


# --- dated facts ---------------------------------------------------------------------


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (local time): facts `<` it happened by the day."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _open_on(day: dt.date, plan_id: int | None) -> QuerySet[Task]:
    """The confirmed tasks not closed out as of `day`: a task is done on the day when it
    is closed now and was closed by then (its latest closing is on or before the day), or
    when the latest of its filing (备案) and reopening (反弹) steps by the day is a filing."""
    end = _end_of(day)
    last_step = (
        CloseoutStep.objects.filter(
            task_id=OuterRef("pk"), kind__in=(StepKind.FILE, StepKind.REOPEN), at__lt=end
        )
        .order_by("-at", "-id")
        .values("kind")[:1]
    )
    tasks = Task.objects.filter(status__in=COUNTED_STATES, plan__status=PlanStatus.CONFIRMED)
    if plan_id is not None:
        tasks = tasks.filter(plan_id=plan_id)
    return (
        tasks.annotate(_last_step=Subquery(last_step))
        .exclude(Q(status__in=("closed", "sustained"), closed_on__lte=day))
        # NULL (no step by the day) must stay: NOT (NULL = 'file') would drop it
        .filter(Q(_last_step__isnull=True) | ~Q(_last_step=StepKind.FILE))
    )


def _lead_names(task_ids: list[int]) -> dict[int, str]:
    names: dict[int, list[str]] = defaultdict(list)
    for task_id, name in (
        TaskUnit.objects.filter(task_id__in=task_ids, role=AssignmentRole.LEAD)
        .order_by("task_id", "id")
        .values_list("task_id", "unit__name")
    ):
        names[task_id].append(name)
    return {task_id: "、".join(found) for task_id, found in names.items()}


def _listed(rows: list[tuple[dict[str, Any], int, int | None, int]]) -> list[ListedTask]:
    leads = _lead_names([int(r[0]["id"]) for r in rows])
    return [
        ListedTask(
            task_id=t["id"],
            seq=t["seq"],
            plan=t["plan__title"],
            text=t["text"],
            units=leads.get(t["id"], ""),
            due=t["due_date"],
            deadline=t["deadline_raw"],
            progress=progress,
            expected=expected,
            days_overdue=late,
        )
        for t, progress, expected, late in rows
    ]


FIELDS = ("id", "seq", "text", "plan__title", "due_date", "deadline_raw", "start_date")


def _with_facts(tasks: QuerySet[Task], day: dt.date) -> QuerySet[Task]:
    """Tasks annotated with the progress reported by the day (the latest report with a
    percentage) and whether a report was missing on the day (漏报 recorded, not filled)."""
    end = _end_of(day)
    reported = (
        ProgressReport.objects.filter(
            task_id=OuterRef("pk"), submitted_at__lt=end, percent__isnull=False
        )
        .order_by("-submitted_at", "-id")
        .values("percent")[:1]
    )
    missing = MissedReport.objects.filter(task_id=OuterRef("pk"), recorded_on__lte=day).filter(
        Q(filled_at__isnull=True) | Q(filled_at__gte=end)
    )
    return tasks.annotate(_reported=Subquery(reported), _missing=Exists(missing))


def _milestones(task_ids: list[int], day: dt.date) -> dict[int, list[MilestoneFacts]]:
    out: dict[int, list[MilestoneFacts]] = defaultdict(list)
    for task_id, due, expected, reached in Milestone.objects.filter(
        task_id__in=task_ids
    ).values_list("task_id", "due_date", "expected_progress", "reached_on"):
        # a milestone reached after the day was not reached on the day
        out[task_id].append(
            MilestoneFacts(due, expected, reached if reached and reached <= day else None)
        )
    return out


def _chunks(tasks: QuerySet[Task]) -> Iterator[list[dict[str, Any]]]:
    """The tasks in pages of CHUNK by (due date, id), those without a due date after
    (both databases order NULL differently, so they are read in a second pass)."""
    rows = tasks.values(*FIELDS, "_reported", "_missing")
    cursor: tuple[dt.date, int] | None = None
    while True:
        page = rows.filter(due_date__isnull=False).order_by("due_date", "id")
        if cursor is not None:
            due, pk = cursor
            page = page.filter(Q(due_date__gt=due) | Q(due_date=due, id__gt=pk))
        found = list(page[:CHUNK])
        if found:
            yield found
        if len(found) < CHUNK:
            break
        cursor = (found[-1]["due_date"], int(found[-1]["id"]))
    after = 0
    while True:
        found = list(rows.filter(due_date__isnull=True, id__gt=after).order_by("id")[:CHUNK])
        if found:
            yield found
        if len(found) < CHUNK:
            return
        after = int(found[-1]["id"])


def _lists(
    day: dt.date, plan_id: int | None
) -> tuple[list[ListedTask], int, list[ListedTask]]:
    """The first overdue tasks as of the day (longest overdue first), how many are
    overdue, and the first lagging ones (due first; those without a due date last)."""
    open_tasks = _open_on(day, plan_id)
    overdue_q = open_tasks.filter(due_date__lt=day)
    overdue_total = overdue_q.count()
    overdue_rows = list(
        _with_facts(overdue_q, day).order_by("due_date", "id").values(*FIELDS, "_reported")[
            :LIST_SIZE
        ]
    )
    overdue = _listed(
        [(t, int(t["_reported"] or 0), None, (day - t["due_date"]).days) for t in overdue_rows]
    )
    lagging: list[tuple[dict[str, Any], int, int | None, int]] = []
    not_due = open_tasks.filter(Q(due_date__gte=day) | Q(due_date__isnull=True))
    candidates = _with_facts(not_due, day)
    for chunk in _chunks(candidates):
        milestones = _milestones([int(t["id"]) for t in chunk], day)
        for t in chunk:
            progress = int(t["_reported"] or 0)
            facts = ScheduleFacts(
                status="in_progress",
                start=t["start_date"],
                due=t["due_date"],
                progress=progress,
                milestones=tuple(milestones.get(int(t["id"]), ())),
                reporting=not t["_missing"],
            )
            status = schedule_status(facts, day)
            if status.bucket == Bucket.BEHIND:
                lagging.append((t, progress, status.expected, 0))
                if len(lagging) == LIST_SIZE:
                    return overdue, overdue_total, _listed(lagging)
    return overdue, overdue_total, _listed(lagging)


def _measures(snapshot: Snapshot, plan_id: int | None) -> tuple[list[Measure], int]:
    found = Escalation.objects.filter(
        issued_on__gte=snapshot.period_start, issued_on__lte=snapshot.period_end
    )
    if plan_id is not None:
        found = found.filter(task__plan_id=plan_id)
    labels = dict(Escalation._meta.get_field("level").choices or [])
    rows = (
        found.order_by("issued_on", "-rank", "id")
        .values_list(
            "issued_on", "level", "unit__name", "task__seq", "task__text", "reason", "cause",
            "issued_by",
        )[:MEASURES_SHOWN]
    )  # fmt: skip
    return [
        Measure(issued, str(labels.get(level, level)), unit or "", seq, text, reason or cause, by)
        for issued, level, unit, seq, text, reason, cause, by in rows
    ], found.count()


def _lookbacks(snapshot: Snapshot, plan_id: int | None) -> tuple[list[LookbackResult], int]:
    found = LookbackCheck.objects.filter(
        checked_on__gte=snapshot.period_start,
        checked_on__lte=snapshot.period_end,
        state__in=(LookbackState.STABLE, LookbackState.REBOUND),
    )
    if plan_id is not None:
        found = found.filter(task__plan_id=plan_id)
    rows = found.order_by("checked_on", "id").values_list(
        "checked_on", "task__seq", "task__text", "unit__name", "months", "state", "findings"
    )[:LOOKBACKS_SHOWN]
    return [
        LookbackResult(day, seq, text, unit or "", months, state == LookbackState.REBOUND, text_)  # type: ignore[arg-type]
        for day, seq, text, unit, months, state, text_ in rows
    ], found.count()


__all__ = [
    "CircularFigures",
    "ListedTask",
    "LookbackResult",
    "Measure",
    "circular_figures",
    "circular_periods",
    "snapshot_for",
]
