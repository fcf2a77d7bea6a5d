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

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import Plan, Problem, SavedView, Task
from closeout.ledger.rules.rollup import FINISHED, KEYS, PlanRollup, Rollup
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors.paging import Paged
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
class ProblemPage(Paged):
    rows: list[ProblemRow]
    count: int
    number: int
    size: int


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
    problems and how many are done. Two queries:

    1. The tasks grouped by problem (with its plan), counted by bucket, and those rows
       grouped again by plan: the bucket counts summed, the problems counted, and the
       problems done counted by rule 2 of `rules.rollup` in SQL (a problem's finished
       tasks, done or sustained, are all its counted tasks). One pass over the tasks,
       where a test per problem would look each problem's tasks up again.
    2. The plans' titles.
    """
    per_problem = (
        _counted(actor, filters)
        .values("plan_id", "problem_id")
        .annotate(**_bucket_counts())
        .order_by()
    )
    inner, params = per_problem.query.sql_with_params()
    names = [f"n_{key or 'pending'}" for key in KEYS]
    finished = " + ".join(f"n_{key}" for key in sorted(FINISHED))
    total = " + ".join(names)
    sql = (
        f"SELECT plan_id, COUNT(*), SUM(CASE WHEN {finished} = {total} THEN 1 ELSE 0 END), "
        + ", ".join(f"SUM({n})" for n in names)
        + f" FROM ({inner}) per_problem GROUP BY plan_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rollups = {
        row[0]: PlanRollup(
            Rollup.of({key: int(n) for key, n in zip(KEYS, row[3:], strict=True)}),
            int(row[1]),
            int(row[2]),
        )
        for row in rows
    }
    plans = Plan.objects.filter(pk__in=list(rollups)).only("id", "title", "issued_on")
    return [PlanRow(plan, rollups[plan.pk]) for plan in plans.order_by("-issued_on", "title")]


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
