"""The confirmed tasks counted as a period snapshot (调度快照) holds them: by plan and
stored schedule bucket, per category, lead unit or due month, with how many of them miss
reports, have rebounded, have a measure standing or are under public notice.

The sweep freezes these counts (`closeout.ledger.sweep.snapshots`); the office overview
counts them live only while no snapshot exists (a fresh install). GROUP BY queries over
the task table: fine once a week in the sweep, never per request on a large ledger.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from closeout.ledger.models import AssignmentRole, Escalation, SnapshotKind, Task, TaskUnit
from closeout.ledger.rules.schedule import COUNTED_STATES
from closeout.ledger.rules.workflow import Status

# (plan, kind, key, unit, bucket, tasks, missed, rebounds, escalated, notice)
Row = tuple[int, str, str, int | None, str, int, int, int, int, int]
COUNTS = ("tasks", "missed", "rebounds", "escalated", "notice")


def _standing(task_ref: str) -> Exists:
    return Exists(Escalation.objects.filter(task_id=OuterRef(task_ref), lifted_on__isnull=True))


def _counts(prefix: str, task_ref: str) -> dict[str, Any]:
    """The aggregates of one row; `prefix` leads from the counted model to the task."""
    return {
        "n_tasks": Count("pk"),
        "n_missed": Count("pk", filter=Q(**{f"{prefix}state__missed_reports__gt": 0})),
        "n_rebounds": Count("pk", filter=Q(**{f"{prefix}rebounds__gt": 0})),
        "n_escalated": Count("pk", filter=_standing(task_ref)),
        "n_notice": Count("pk", filter=Q(**{f"{prefix}status": Status.NOTICE})),
    }


def counted() -> QuerySet[Task]:
    return Task.objects.filter(status__in=COUNTED_STATES).order_by()


def by_category() -> QuerySet[Any]:
    return counted().values("plan_id", "category", "state__bucket").annotate(**_counts("", "pk"))


def by_unit() -> QuerySet[Any]:
    return (
        TaskUnit.objects.filter(role=AssignmentRole.LEAD, task__status__in=COUNTED_STATES)
        .order_by()
        .values("task__plan_id", "unit_id", "task__state__bucket")
        .annotate(**_counts("task__", "task_id"))
    )


def by_category_and_due() -> QuerySet[Any]:
    """The counts by plan, category, due date and bucket: one pass over the tasks from
    which `rows` adds up both the category and the due-month dimension."""
    return (
        counted()
        .values("plan_id", "category", "due_date", "state__bucket")
        .annotate(**_counts("", "pk"))
    )


def _tail(r: dict[str, Any]) -> tuple[int, int, int, int, int]:
    return (r["n_tasks"], r["n_missed"], r["n_rebounds"], r["n_escalated"], r["n_notice"])


def _month(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # a date as SQLite gives it without the converter
        return value[:7]
    return f"{value.year:04d}-{value.month:02d}"


def rows() -> list[Row]:
    """Every row of the snapshot as of now (the stored buckets), in a stable order."""
    summed: dict[tuple[Any, ...], list[int]] = {}
    for r in by_category_and_due():
        bucket = r["state__bucket"] or ""
        for kind, key in (
            (SnapshotKind.CATEGORY, r["category"]),
            (SnapshotKind.DUE, _month(r["due_date"])),
        ):
            total = summed.setdefault((r["plan_id"], kind, key, None, bucket), [0] * 5)
            for i, n in enumerate(_tail(r)):
                total[i] += n
    out: list[Row] = [(*key, *values) for key, values in summed.items()]  # type: ignore[misc]
    for r in by_unit():
        out.append((r["task__plan_id"], SnapshotKind.UNIT, "", r["unit_id"],
                    r["task__state__bucket"] or "", *_tail(r)))  # fmt: skip
    return sorted(out, key=lambda row: (row[0], row[1], row[2], row[3] or 0, row[4]))
