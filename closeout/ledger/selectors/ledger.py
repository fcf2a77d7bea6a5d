"""Reads of the ledger table (台账) beyond its rows: progress rolled up to problems and
plans, the columns a row can show, and each user's saved views (常用筛选).

The roll-ups count the same tasks as the list (`task_list` with the same filter, so they
are limited to what the actor may see), cancelled tasks aside, grouped in the database:
a fixed number of queries whatever the number of problems. What "done" means is the pure
rule of `closeout.ledger.rules.rollup`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import Plan, Problem, SavedView, Task
from closeout.ledger.rules.rollup import FINISHED, KEYS, PlanRollup, Rollup
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors.tasks import MAX_OFFSET, TaskFilter, task_list

# What a row of the ledger table can show, by key, in the customary order of the
# workbook (序号, 问题, 整改任务, 责任单位, 整改时限, 整改进展 …); the pages label them.
COLUMNS = (
    "seq",
    "problem",
    "task",
    "plan",
    "units",
    "deadline",
    "status",
    "bucket",
    "progress",
    "missed",
    "updated",
)
DEFAULT_COLUMNS = ("seq", "problem", "task", "units", "deadline", "status", "bucket", "progress")


def _bucket_counts() -> dict[str, Count]:
    # One conditional count per bucket; "" (PENDING) holds the tasks not confirmed yet.
    return {f"n_{key or 'pending'}": Count("pk", filter=Q(state__bucket=key)) for key in KEYS}


def _rollup(row: Mapping[str, Any]) -> Rollup:
    return Rollup.of({key: row[f"n_{key or 'pending'}"] for key in KEYS})


def _counted(actor: Actor, filters: TaskFilter | None) -> QuerySet[Task]:
    """The tasks a roll-up counts: the list's, cancelled ones aside, unordered."""
    f = dataclasses.replace(filters or TaskFilter(), sort="id")
    return task_list(actor, f).exclude(status=Status.CANCELLED).order_by()


@dataclass(frozen=True)
class ProblemRow:
    problem: Problem  # with its plan (title only)
    rollup: Rollup


@dataclass(frozen=True)
class ProblemPage:
    rows: list[ProblemRow]
    count: int
    number: int
    size: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def problem_rollups(
    actor: Actor, filters: TaskFilter | None = None, *, page: int = 1, size: int = 50
) -> ProblemPage:
    """A page of problems, each with its (filtered, visible) tasks counted by bucket.

    1. The page of problems: the tasks grouped by problem, in problem order (the order
       of the plans as imported), one bucket count each.
    2. How many problems there are: the distinct problems of the same tasks.
    3. The page's problems with their plans' titles.
    """
    if page < 1 or size < 1:
        raise InvalidInput(_("pages are numbered from 1"), field="page")
    if (page - 1) * size > MAX_OFFSET:
        raise InvalidInput(_("there is no page %(page)s") % {"page": page}, field="page")
    tasks = _counted(actor, filters)
    start = (page - 1) * size
    grouped: list[Mapping[str, Any]] = list(
        tasks.values("problem_id")
        .annotate(**_bucket_counts())
        .order_by("problem_id")[start : start + size]
    )
    count = tasks.values("problem_id").distinct().count()
    problems = Problem.objects.select_related("plan").only(
        "id", "seq", "number", "title", "plan_id", "plan__title"
    )
    by_id = {p.pk: p for p in problems.filter(pk__in=[g["problem_id"] for g in grouped])}
    rows = [ProblemRow(by_id[g["problem_id"]], _rollup(g)) for g in grouped]
    return ProblemPage(rows, count, page, size)


@dataclass(frozen=True)
class PlanRow:
    plan: Plan  # id and title only
    rollup: PlanRollup


def plan_rollups(actor: Actor, filters: TaskFilter | None = None) -> list[PlanRow]:
    """Each plan with (filtered, visible) tasks, rolled up: its tasks by bucket, its
    problems and how many are done (rule 2 of `rules.rollup`, here in SQL: a problem of
    the set none of whose counted tasks is unfinished). Three queries in all."""
    tasks = _counted(actor, filters)
    per_plan: dict[int, Rollup] = {
        row["plan_id"]: _rollup(row)
        for row in tasks.values("plan_id").annotate(**_bucket_counts()).order_by("plan_id")
    }
    if not per_plan:
        return []
    in_set = tasks.filter(problem_id=OuterRef("pk"))
    open_task = in_set.exclude(state__bucket__in=FINISHED)
    problems: dict[int, Mapping[str, Any]] = {
        row["plan_id"]: row
        for row in Problem.objects.filter(plan_id__in=list(per_plan))
        .filter(Exists(in_set))
        .values("plan_id")
        .annotate(problems=Count("pk"), done=Count("pk", filter=~Q(Exists(open_task))))
        .order_by("plan_id")
    }
    plans = Plan.objects.filter(pk__in=list(per_plan)).only("id", "title", "issued_on")
    return [
        PlanRow(
            plan,
            PlanRollup(
                per_plan[plan.pk],
                problems.get(plan.pk, {}).get("problems", 0),
                problems.get(plan.pk, {}).get("done", 0),
            ),
        )
        for plan in plans.order_by("-issued_on", "title")
    ]


def saved_views(actor: Actor) -> QuerySet[SavedView]:
    """The actor's own saved views of the ledger, by name (none for a visitor)."""
    if actor.user_id is None:
        return SavedView.objects.none()
    return SavedView.objects.filter(user_id=actor.user_id).order_by("name", "id")


def saved_view(actor: Actor, view_id: int) -> SavedView:
    """One of the actor's own saved views; anyone else's is NotFound, as if it were not."""
    view = saved_views(actor).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("saved view %(view)s does not exist") % {"view": view_id})
    return view
