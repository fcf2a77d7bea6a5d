"""What the public portal (信息公开) may show, in one place.

Published means: a plan the office confirmed and marked for the portal (`Plan.published`,
status confirmed; drafts and superseded versions are not shown), and in it the tasks the
public may see at all (`access.visible_tasks` for an anonymous visitor: no drafts, nothing
cancelled). Everything here is read from those two sets.

Which fields are public is decided here too, and only here: each read returns a frozen
record with the public fields and nothing else, so a template cannot reach a relation
it should not (a responsible person, a progress report, an evidence file, an audit event).

Public:
- a plan: title, issuing body, issue date; its problems and their tasks, counted by
  schedule bucket (序时进度);
- a problem: number, title, description, category;
- a task: text, target, measures, category, the units taking part (names only, by part),
  the deadline as written and its date, progress, schedule bucket, status, the days its
  close-out passed a step (request, notice, closing … never who took it, never an
  opinion), the public notice window, the look-back checks' outcomes and dates, and the
  objections that are not spam with their answers (never who lodged them).

Never public: logins and names of staff, responsible persons (责任人, often with a
phone number), progress report texts, evidence files, escalation measures (督办), missed
reports (漏报), the audit log, step opinions and data other than the notice window.

Counts are grouped queries over the whole set (one per kind of count), never a loop
over tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import (
    AssignmentRole,
    Category,
    CloseoutStep,
    LookbackCheck,
    LookbackState,
    Objection,
    Plan,
    PlanStatus,
    Problem,
    StepKind,
    Task,
    TaskUnit,
)
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import DONE_STATES, Status
from closeout.ledger.selectors.publicrecords import (
    Buckets,
    LookbackRow,
    Page,
    PublicLookback,
    PublicObjection,
    PublicPlan,
    PublicProblem,
    PublicStep,
    PublicTask,
    PublicTaskRow,
    UnitName,
    buckets_of,
)
from closeout.ledger.selectors.tasks import search_words

PUBLIC = Actor.of(None)
# The task fields the portal reads; nothing else of a task row is ever loaded.
TASK_FIELDS = (
    "id",
    "plan_id",
    "problem_id",
    "seq",
    "text",
    "target",
    "measures",
    "category",
    "deadline_raw",
    "due_date",
    "immediate",
    "ongoing",
    "progress",
    "status",
    "notice_until",
    "closed_on",
)
# The parts a task's units take, as the portal lists them.
UNIT_PARTS = (
    AssignmentRole.LEAD,
    AssignmentRole.COOP,
    AssignmentRole.SUPERVISING,
    AssignmentRole.COOP_SUPERVISING,
)
# Pages past this one are not offered: a number that large is no visitor's.
MAX_PAGE = 10**6


# --------------------------------------------------------------------------- the sets


def published_plans() -> QuerySet[Plan]:
    """The plans on the portal: confirmed and published, without their source text."""
    return Plan.objects.filter(published=True, status=PlanStatus.CONFIRMED).defer(
        "source_text", "source_file", "content_hash", "created_by"
    )


def public_tasks() -> QuerySet[Task]:
    """The tasks on the portal: those the public may see, in a published plan."""
    return access.visible_tasks(PUBLIC).filter(
        plan__published=True, plan__status=PlanStatus.CONFIRMED
    )


def is_public_task(task_id: int) -> bool:
    """Whether the task is one the public may see (a task of a published plan, neither a
    draft nor cancelled)."""
    return public_tasks().filter(pk=task_id).exists()


def _public_problems() -> QuerySet[Problem]:
    """Problems with at least one public task (a problem whose tasks are all cancelled
    is not on the portal)."""
    return Problem.objects.filter(
        Exists(public_tasks().filter(problem_id=OuterRef("pk"))),
        plan__published=True,
        plan__status=PlanStatus.CONFIRMED,
    )


# --------------------------------------------------------------------------- reads


def _page_of(qs: QuerySet[Any], page: int, size: int) -> tuple[list[Any], int, int]:
    """The rows of page `page` (moved into 1 … the last page) with the count."""
    count = qs.count()
    last = max(1, -(-count // size))
    number = min(max(1, page), last)
    start = (number - 1) * size
    return list(qs[start : start + size]), count, number


def _plan_records(plans: Sequence[dict[str, Any]]) -> list[PublicPlan]:
    ids = [p["id"] for p in plans]
    tasks = public_tasks().filter(plan_id__in=ids)
    by_bucket: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in tasks.values("plan_id", "state__bucket").annotate(n=Count("id")).order_by():
        by_bucket[row["plan_id"]].append((row["state__bucket"], row["n"]))
    problems = {
        row["plan_id"]: row["n"]
        for row in tasks.values("plan_id").annotate(n=Count("problem_id", distinct=True)).order_by()
    }
    return [
        PublicPlan(
            id=p["id"],
            title=p["title"],
            issuer=p["issuer"],
            issued_on=p["issued_on"],
            problems=problems.get(p["id"], 0),
            buckets=buckets_of(by_bucket[p["id"]]),
        )
        for p in plans
    ]


PLAN_FIELDS = ("id", "title", "issuer", "issued_on")


def public_plan_page(*, page: int = 1, size: int = 20) -> Page[PublicPlan]:
    """The published plans, newest first, with their problem counts and tasks by bucket
    (two grouped queries for the page)."""
    qs = published_plans().order_by("-issued_on", "title", "id").values(*PLAN_FIELDS)
    rows, count, number = _page_of(qs, page, size)
    return Page(_plan_records(rows), count, number, size)


def public_totals() -> Buckets:
    """Every public task counted by bucket (one grouped query)."""
    rows = public_tasks().values("state__bucket").annotate(n=Count("id")).order_by()
    return buckets_of((r["state__bucket"], r["n"]) for r in rows)


def public_plan(plan_id: int) -> PublicPlan:
    """One published plan (NotFound for a draft, an unpublished or superseded plan)."""
    found = list(published_plans().filter(pk=plan_id).values(*PLAN_FIELDS))
    if not found:
        raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    return _plan_records(found)[0]


@dataclass(frozen=True)
class ProblemFilter:
    bucket: str = ""
    category: str = ""
    q: str = ""


def _problem_filter(qs: QuerySet[Problem], f: ProblemFilter) -> QuerySet[Problem]:
    if f.bucket:
        if f.bucket not in Bucket.values:
            raise InvalidInput(
                _("unknown schedule status: %(b)s") % {"b": f.bucket}, field="bucket"
            )
        qs = qs.filter(
            Exists(public_tasks().filter(problem_id=OuterRef("pk"), state__bucket=f.bucket))
        )
    if f.category:
        if f.category not in Category.values:
            raise InvalidInput(_("unknown category: %(c)s") % {"c": f.category}, field="category")
        qs = qs.filter(category=f.category)
    for word in search_words(f.q):
        in_tasks = public_tasks().filter(
            Q(text__contains=word) | Q(target__contains=word), problem_id=OuterRef("pk")
        )
        qs = qs.filter(Q(title__contains=word) | Q(text__contains=word) | Exists(in_tasks))
    return qs


def public_problem_page(
    plan_id: int, filters: ProblemFilter | None = None, *, page: int = 1, size: int = 20
) -> Page[PublicProblem]:
    """A published plan's problems, in the plan's order, narrowed by bucket (problems
    with a task in it), category and words; each with its tasks by bucket and their mean
    progress (one grouped query for the page)."""
    public_plan(plan_id)
    qs = _problem_filter(_public_problems().filter(plan_id=plan_id), filters or ProblemFilter())
    fields = ("id", "plan_id", "seq", "number", "title", "text", "category")
    rows, count, number = _page_of(qs.order_by("seq", "id").values(*fields), page, size)
    return Page(_problem_records(rows), count, number, size)


def _problem_records(problems: Sequence[dict[str, Any]]) -> list[PublicProblem]:
    ids = [p["id"] for p in problems]
    by_bucket: dict[int, list[tuple[str, int]]] = defaultdict(list)
    progress: dict[int, int] = defaultdict(int)
    grouped = (
        public_tasks()
        .filter(problem_id__in=ids)
        .values("problem_id", "state__bucket")
        .annotate(n=Count("id"), p=Sum("progress"))
        .order_by()
    )
    totals: dict[int, int] = defaultdict(int)
    for row in grouped:
        by_bucket[row["problem_id"]].append((row["state__bucket"], row["n"]))
        progress[row["problem_id"]] += row["p"] or 0
        totals[row["problem_id"]] += row["n"]
    return [
        PublicProblem(
            id=p["id"],
            plan_id=p["plan_id"],
            seq=p["seq"],
            number=p["number"],
            title=p["title"],
            text=p["text"],
            category=Category(p["category"]).label if p["category"] in Category.values else "",
            buckets=buckets_of(by_bucket[p["id"]]),
            progress=progress[p["id"]] // totals[p["id"]] if totals[p["id"]] else 0,
        )
        for p in problems
    ]


def public_problem(problem_id: int) -> PublicProblem:
    fields = ("id", "plan_id", "seq", "number", "title", "text", "category")
    found = list(_public_problems().filter(pk=problem_id).values(*fields))
    if not found:
        raise NotFound(_("problem %(problem)s does not exist") % {"problem": problem_id})
    return _problem_records(found)[0]


# --------------------------------------------------------------------------- task rows


def _unit_names(task_ids: Sequence[int], parts: Sequence[str]) -> dict[int, dict[str, list]]:
    """The units of each task by part, a unit named through a group shown as the group
    (as the plan wrote it), in one query."""
    names: dict[int, dict[str, list[UnitName]]] = defaultdict(lambda: defaultdict(list))
    seen: dict[tuple[int, str, str], int] = {}
    rows = (
        TaskUnit.objects.filter(task_id__in=task_ids, role__in=parts)
        .order_by("task_id", "id")
        .values_list("task_id", "role", "unit__name", "via_group__name")
    )
    for task_id, role, unit_name, group_name in rows:
        name = group_name or unit_name
        key = (task_id, role, name)
        listed = names[task_id][role]
        if key in seen:
            i = seen[key]
            listed[i] = UnitName(name, listed[i].count + 1)
        else:
            seen[key] = len(listed)
            listed.append(UnitName(name))
    return names


ROW_FIELDS = (*TASK_FIELDS, "state__bucket", "plan__title", "problem__title")


def _label(choices: Any, value: str) -> Any:
    return choices(value).label if value in choices.values else ""


def _task_rows(rows: Sequence[dict[str, Any]]) -> list[PublicTaskRow]:
    leads = _unit_names([r["id"] for r in rows], [AssignmentRole.LEAD])
    return [
        PublicTaskRow(
            id=r["id"],
            plan_id=r["plan_id"],
            plan_title=r["plan__title"],
            problem_title=r["problem__title"],
            seq=r["seq"],
            text=r["text"],
            deadline_raw=r["deadline_raw"],
            due_date=r["due_date"],
            progress=r["progress"],
            status=r["status"],
            status_label=_label(Status, r["status"]),
            bucket=r["state__bucket"] or "",
            bucket_label=_label(Bucket, r["state__bucket"] or ""),
            notice_until=r["notice_until"],
            closed_on=r["closed_on"],
            leads=leads[r["id"]][AssignmentRole.LEAD],
        )
        for r in rows
    ]


def _task_page(qs: QuerySet[Task], page: int, size: int) -> Page[PublicTaskRow]:
    rows, count, number = _page_of(qs.values(*ROW_FIELDS), page, size)
    return Page(_task_rows(rows), count, number, size)


def public_problem_tasks(problem_id: int, *, page: int = 1, size: int = 50) -> Page[PublicTaskRow]:
    """A public problem's tasks, in the plan's order."""
    public_problem(problem_id)
    return _task_page(public_tasks().filter(problem_id=problem_id).order_by("seq"), page, size)


def public_notice_page(*, page: int = 1, size: int = 50) -> Page[PublicTaskRow]:
    """Tasks under public notice (公示中), the notice ending soonest first."""
    qs = public_tasks().filter(status=Status.NOTICE).order_by("notice_until", "id")
    return _task_page(qs, page, size)


def public_closed_page(*, page: int = 1, size: int = 50) -> Page[PublicTaskRow]:
    """Tasks closed out (已销号) or completed and sustained, the latest closing first."""
    qs = public_tasks().filter(status__in=DONE_STATES).order_by("-closed_on", "-id")
    return _task_page(qs, page, size)


LOOKED_BACK = (LookbackState.STABLE, LookbackState.REBOUND)


def _lookback(row: Mapping[str, Any]) -> PublicLookback:
    return PublicLookback(
        months=row["months"],
        closed_on=row["closed_on"],
        checked_on=row["checked_on"],
        state=row["state"],
        label=_label(LookbackState, row["state"]),
    )


def public_lookback_page(*, page: int = 1, size: int = 50) -> Page[LookbackRow]:
    """Look-back checks made (回头看: stable or rebound) on public tasks, latest first."""
    qs = (
        LookbackCheck.objects.filter(state__in=LOOKED_BACK, task__in=public_tasks())
        .order_by("-due_on", "-id")
        .values("task_id", "months", "closed_on", "checked_on", "state")
    )
    checks, count, number = _page_of(qs, page, size)
    ids = [c["task_id"] for c in checks]
    tasks = {
        r.id: r for r in _task_rows(list(public_tasks().filter(pk__in=ids).values(*ROW_FIELDS)))
    }
    rows = [LookbackRow(tasks[c["task_id"]], _lookback(c)) for c in checks if c["task_id"] in tasks]
    return Page(rows, count, number, size)


# --------------------------------------------------------------------------- one task


def public_task(task_id: int) -> PublicTask:
    """One public task with what its page shows (NotFound for any task not public)."""
    found = list(
        public_tasks().filter(pk=task_id).values(*ROW_FIELDS, "problem__seq", "problem__number")
    )
    if not found:
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
    r = found[0]
    units = _unit_names([task_id], UNIT_PARTS)[task_id]
    steps = list(
        CloseoutStep.objects.filter(task_id=task_id)
        .order_by("round", "id")
        .values_list("round", "kind", "at", "data")
    )
    reviews = [data for _round, kind, _at, data in steps if kind == StepKind.REVIEW]
    notice_from = _date(reviews[-1].get("notice_from")) if reviews and r["notice_until"] else None
    lookbacks = (
        LookbackCheck.objects.filter(task_id=task_id, state__in=LOOKED_BACK)
        .order_by("due_on", "id")
        .values("months", "closed_on", "checked_on", "state")
    )
    measures = r["measures"] if isinstance(r["measures"], list) else []
    return PublicTask(
        row=_task_rows([r])[0],
        problem_id=r["problem_id"],
        problem_seq=r["problem__seq"],
        problem_number=r["problem__number"],
        target=r["target"],
        measures=[str(m) for m in measures],
        category=_label(Category, r["category"]),
        immediate=r["immediate"],
        ongoing=r["ongoing"],
        units=[(AssignmentRole(part).label, units[part]) for part in UNIT_PARTS if units.get(part)],
        steps=[
            PublicStep(rnd, kind, _label(StepKind, kind), at.date())
            for rnd, kind, at, _data in steps
        ],
        notice_from=notice_from,
        lookbacks=[_lookback(c) for c in lookbacks],
    )


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def public_objections(task_id: int) -> list[PublicObjection]:
    """A public task's objections that are not spam, oldest first, with their answers."""
    if not public_tasks().filter(pk=task_id).exists():
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
    rows = (
        Objection.objects.filter(task_id=task_id, spam_at__isnull=True)
        .order_by("lodged_at", "id")
        .values("id", "round", "lodged_at", "text", "answer", "answered_at")
    )
    return [
        PublicObjection(
            pk=o["id"],
            round=o["round"],
            lodged_at=o["lodged_at"],
            text=o["text"],
            answer=o["answer"],
            answered_at=o["answered_at"],
        )
        for o in rows
    ]


def public_may_lodge(task: PublicTask) -> bool:
    """Whether the portal offers the objection form: while the notice runs (the service
    decides the rest, and says why when it refuses)."""
    return task.under_notice
