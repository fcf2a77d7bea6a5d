"""Reads from the ledger (selectors). Every list and detail that an interface shows comes
from here, already limited to what the actor may see (`closeout.ledger.access`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import (
    ApiToken,
    AuditEvent,
    Escalation,
    Evidence,
    Inspection,
    Plan,
    Problem,
    ProgressReport,
    Task,
    TaskPerson,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
)
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors.paging import Paged

SORTABLE = {
    "due_date": ("due_date", "id"),
    "-due_date": ("-due_date", "-id"),
    "seq": ("plan_id", "seq"),
    "-seq": ("-plan_id", "-seq"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "progress": ("progress", "id"),
    "-progress": ("-progress", "-id"),
    "id": ("id",),
    "-id": ("-id",),
}


@dataclass(frozen=True)
class TaskFilter:
    """What a task list may be narrowed by. Every field is optional."""

    unit: int | None = None  # this unit or any unit below it, in any part
    unit_role: str | None = None  # narrow `unit` to one part: lead, coop, supervising …
    district: int | None = None  # also within this unit's subtree, in any part (区县)
    status: tuple[str, ...] = ()
    bucket: tuple[str, ...] = ()  # schedule status (序时进度), any of these
    missing: bool | None = None  # reports missing (漏报): a run of missed reports
    escalated: bool | None = None  # an escalation measure (督办措施) standing, not lifted
    notice: bool | None = None  # under public notice (公示中)
    rebounded: bool | None = None  # rebounded at a look-back (反弹) at least once
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    category: str | None = None
    inspection: int | None = None
    plan: int | None = None
    problem: int | None = None
    q: str = ""
    immediate: bool | None = None
    ongoing: bool | None = None
    sort: str = "due_date"
    extra: dict[str, str] = field(default_factory=dict)


# A search costs a substring match (LIKE) per word over three columns: its length and its
# number of words are bounded, so that one request cannot hold a worker for seconds.
# The page's search field has the same maximum length.
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_WORDS = 10
TRIGRAM = 3


def search_words(q: str) -> list[str]:
    """The words of a search, each once, in order. A search longer than
    SEARCH_MAX_LENGTH characters or of more than SEARCH_MAX_WORDS words is refused
    (field `q`)."""
    if len(q) > SEARCH_MAX_LENGTH:
        raise InvalidInput(
            _("A search may be at most %(limit)s characters long (this one has %(length)s).")
            % {"limit": SEARCH_MAX_LENGTH, "length": len(q)},
            field="q",
        )
    words = list(dict.fromkeys(q.split()))
    if len(words) > SEARCH_MAX_WORDS:
        raise InvalidInput(
            _("A search may have at most %(limit)s words (this one has %(count)s).")
            % {"limit": SEARCH_MAX_WORDS, "count": len(words)},
            field="q",
        )
    return words


def _task_text_has(word: str) -> Q:
    """The task's text or target, or its problem's title, contains `word`.

    Chinese has no word breaks to index on, so this is a substring match (LIKE '%word%').
    On PostgreSQL each table's match is a subquery of its own, which the trigram GIN
    indexes (migration 0003) answer, where one OR across the join to the problems could
    only be checked row by row. A trigram index needs three characters to look up, so a
    shorter word (most Chinese words have two) is checked row by row, like everything on
    SQLite, which has no such index: there the plain OR over the join is the faster
    form (six times, measured on 20,000 tasks).
    """
    if connection.vendor != "postgresql" or len(word) < TRIGRAM:
        return Q(text__contains=word) | Q(target__contains=word) | Q(problem__title__contains=word)
    in_task = Task.objects.filter(Q(text__contains=word) | Q(target__contains=word))
    in_problem = Problem.objects.filter(title__contains=word)
    return Q(pk__in=in_task.values("pk")) | Q(problem_id__in=in_problem.values("pk"))


def unit_subtree_path(unit_id: int) -> str:
    try:
        return Unit.objects.only("path").get(pk=unit_id).path
    except Unit.DoesNotExist:
        raise NotFound(_("unit %(unit)s does not exist") % {"unit": unit_id}) from None


def _subtree_members(unit_id: int, role: str | None, status: tuple[str, ...]) -> Any:
    """The ids of the tasks in which a unit of this subtree has a part (`role`, if given).

    Candidate tasks come from the assignment index (unit, status): the cost follows the
    size of the unit's subtree, not of the whole ledger.
    """
    path = unit_subtree_path(unit_id)
    members = TaskUnit.objects.filter(
        unit_id__in=Unit.objects.filter(path__startswith=path).values("id")
    )
    if role:
        members = members.filter(role=role)
    if status:
        members = members.filter(task_status__in=status)
    return members.values("task_id")


# Up to this many candidates, a filter whose matches are few is answered from their ids
# (looked up by primary key, then sorted) rather than by the join.
FEW = 50_000


def _narrowed(
    qs: QuerySet[Task], candidates: QuerySet[Any], id_field: str, lookup: str, value: Any
) -> QuerySet[Task]:
    """`qs` narrowed to a set of tasks that has an index of its own (a schedule bucket,
    a plan).

    PostgreSQL's planner assumes the matches are spread evenly along the sort index
    (due date, id) and walks it, checking each task: right for a bucket that holds a
    third of the ledger, but when the matches are few or clustered (the tasks behind
    schedule are all due in the future; a plan's tasks share a few deadlines) it reads
    most of a million entries first (2 s and more, measured). So: a bounded count of the
    candidates from their own index (at most FEW + 1 entries read); when they are
    few, the tasks are picked by id (`any_of`: one primary-key lookup each, then a sort
    of those only); otherwise the join, which finds a page of dense matches at once.
    SQLite plans both forms alike: there the plain filter.
    """
    if connection.vendor != "postgresql":
        return qs.filter(**{lookup: value})
    if candidates[: FEW + 1].count() <= FEW:
        return qs.filter(pk__any_of=candidates.values(id_field))
    return qs.filter(**{lookup: value})


def _with_or_without(qs: QuerySet[Task], wanted: bool | None, condition: Q) -> QuerySet[Task]:
    if wanted is None:
        return qs
    return qs.filter(condition) if wanted else qs.exclude(condition)


def _loop_filters(qs: QuerySet[Task], f: TaskFilter) -> QuerySet[Task]:
    """The closed loop's filters: schedule status, missing reports, measures standing,
    public notice, rebounds. The bucket and the run of missed reports are read from the
    narrow TaskState row (one per task, joined by primary key); a measure standing is
    looked up through the measures' (task, cause, level) index."""
    if f.bucket:
        bad = set(f.bucket) - set(Bucket.values)
        if bad:
            raise InvalidInput(
                _("unknown schedule status: %(names)s") % {"names": ", ".join(sorted(bad))},
                field="bucket",
            )
        qs = _narrowed(
            qs,
            TaskState.objects.filter(bucket__in=f.bucket),
            "task_id",
            "state__bucket__in",
            f.bucket,
        )
    qs = _with_or_without(qs, f.missing, Q(state__missed_reports__gt=0))
    standing = Escalation.objects.filter(task_id=OuterRef("pk"), lifted_on__isnull=True)
    qs = _with_or_without(qs, f.escalated, Q(Exists(standing)))
    qs = _with_or_without(qs, f.notice, Q(status=Status.NOTICE))
    return _with_or_without(qs, f.rebounded, Q(rebounds__gt=0))


def task_list(actor: Actor, filters: TaskFilter | None = None) -> QuerySet[Task]:
    """The tasks the actor may see, filtered and sorted; callers slice for pages."""
    f = filters or TaskFilter()
    qs = access.visible_tasks(actor)
    if f.unit is not None:
        qs = qs.filter(pk__any_of=_subtree_members(f.unit, f.unit_role, f.status))
    if f.district is not None:
        qs = qs.filter(pk__any_of=_subtree_members(f.district, None, f.status))
    if f.status:
        bad = set(f.status) - set(Status.values)
        if bad:
            raise InvalidInput(
                _("unknown status: %(names)s") % {"names": ", ".join(sorted(bad))}, field="status"
            )
        qs = qs.filter(status__in=f.status)
    if f.due_from is not None:
        qs = qs.filter(due_date__gte=f.due_from)
    if f.due_to is not None:
        qs = qs.filter(due_date__lte=f.due_to)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.inspection is not None:
        qs = qs.filter(inspection_id=f.inspection)
    if f.plan is not None:
        qs = _narrowed(qs, Task.objects.filter(plan_id=f.plan), "pk", "plan_id", f.plan)
    if f.problem is not None:
        qs = qs.filter(problem_id=f.problem)
    if f.immediate is not None:
        qs = qs.filter(immediate=f.immediate)
    if f.ongoing is not None:
        qs = qs.filter(ongoing=f.ongoing)
    qs = _loop_filters(qs, f)
    for word in search_words(f.q):
        qs = qs.filter(_task_text_has(word))
    if f.sort not in SORTABLE:
        raise InvalidInput(
            _("cannot sort by %(sort)s; use one of %(choices)s")
            % {"sort": f.sort, "choices": ", ".join(SORTABLE)},
            field="sort",
        )
    return qs.order_by(*SORTABLE[f.sort])


def with_list_relations(qs: QuerySet[Task]) -> QuerySet[Task]:
    """What a list row shows: the problem, and the units with their parts."""
    # The plan's source text is the whole document: never load it for a list row.
    return (
        qs.select_related("problem", "plan", "state")
        .defer("plan__source_text")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TaskUnit.objects.select_related("unit", "via_group").order_by("id"),
            )
        )
    )


SEARCH_COUNT_CAP = 1000
# The largest offset a database takes (a signed 64-bit integer): a page past it is none.
MAX_OFFSET = 2**63 - 1


def _count(f: TaskFilter, qs: QuerySet[Task]) -> int:
    """The number of tasks of a whole-ledger list. Filtered by schedule status alone, the
    narrow state table's bucket index counts them (one state row per task) without the
    join to the tasks, which at a million tasks reads the whole primary key (0.9 s)."""
    if f.bucket and replace(f, bucket=(), sort="id") == TaskFilter(sort="id"):
        return TaskState.objects.filter(bucket__in=f.bucket).count()
    return qs.count()


@dataclass(frozen=True)
class TaskPage(Paged):
    """One page of a task list with the total it was cut from."""

    rows: list[Task]
    count: int
    number: int
    size: int
    exact: bool = True  # False: there are at least `count` tasks (a text search, capped)


def task_page(
    actor: Actor, filters: TaskFilter | None = None, *, page: int = 1, size: int = 50
) -> TaskPage:
    """A page of `task_list`, with its rows' relations, and the total count.

    1. Pick the page's ids alone, so that sorting thousands of candidates reads only
       the narrow index columns, never whole rows joined to their problems.
    2. When the candidates are bounded by a unit subtree, the total comes with those ids
       (a window count over the same pass); otherwise a separate count, which the
       status/due indexes answer without touching the rows. A text search over the whole
       ledger counts only up to SEARCH_COUNT_CAP ("1000+"): every match must be read to
       count it, and a common word matches tens of thousands of tasks.
    3. Load the relations of those ids only, and keep their order.
    """
    if page < 1 or size < 1:
        raise InvalidInput(_("pages are numbered from 1"), field="page")
    if (page - 1) * size > MAX_OFFSET:
        raise InvalidInput(_("there is no page %(page)s") % {"page": page}, field="page")
    f = filters or TaskFilter()
    qs = task_list(actor, f)
    start = (page - 1) * size
    bounded = f.unit is not None or f.district is not None or not actor.sees_everything
    if bounded:
        picked = list(
            qs.annotate(total=Window(Count("id"))).values_list("id", "total")[start : start + size]
        )
        ids = [row[0] for row in picked]
        count = picked[0][1] if picked else (qs.count() if page > 1 else 0)
    else:
        ids = list(qs.values_list("id", flat=True)[start : start + size])
        count = _count(f, qs) if not f.q.strip() else qs[: SEARCH_COUNT_CAP + 1].count()
    exact = count <= SEARCH_COUNT_CAP or not f.q.strip()
    by_id = {t.pk: t for t in with_list_relations(Task.objects.filter(pk__in=ids))}
    rows = [by_id[i] for i in ids if i in by_id]
    return TaskPage(rows, count if exact else SEARCH_COUNT_CAP, page, size, exact)


def task_detail(actor: Actor, task_id: int) -> Task:
    """One task with everything its page shows, or NotFound if the actor may not see it."""
    qs = access.visible_tasks(actor, Task.objects.filter(pk=task_id))
    task = (
        qs.select_related("plan", "problem", "inspection", "state")
        .prefetch_related(
            Prefetch("assignments", queryset=TaskUnit.objects.select_related("unit")),
            Prefetch("persons", queryset=TaskPerson.objects.order_by("id")),
            "milestones",
            "reports",
            "reports__evidence",
            "evidence",
        )
        .first()
    )
    if task is None:
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
    return task


def task_history(actor: Actor, task_id: int) -> QuerySet[AuditEvent]:
    """The audit events of a task, oldest first."""
    task_detail_exists(actor, task_id)
    return AuditEvent.objects.filter(task_id=task_id).order_by("at", "id")


def task_detail_exists(actor: Actor, task_id: int) -> None:
    if not access.visible_tasks(actor, Task.objects.filter(pk=task_id)).exists():
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id})


def task_reports(actor: Actor, task_id: int) -> QuerySet[ProgressReport]:
    """A task's progress reports, newest first, with reporter, unit and evidence files."""
    task_detail_exists(actor, task_id)
    return (
        ProgressReport.objects.filter(task_id=task_id)
        .select_related("unit", "reporter", "milestone")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        .order_by("-submitted_at", "-id")
    )


def evidence_detail(actor: Actor, evidence_id: int) -> Evidence:
    """One evidence file, or NotFound unless the actor may see the task it belongs to."""
    evidence = Evidence.objects.select_related("task").filter(pk=evidence_id).first()
    if evidence is None or not access.can_view(actor, evidence.task):
        raise NotFound(_("evidence %(evidence)s does not exist") % {"evidence": evidence_id})
    return evidence


def pickable_units(actor: Actor) -> QuerySet[Unit]:
    """The units an actor may pick in a filter, in tree order."""
    return Unit.objects.filter(access.visible_q_for_units(actor)).order_by("path")


def plans_for(actor: Actor) -> QuerySet[Plan]:
    """The plans in which the actor can see at least one task."""
    if actor.sees_everything:
        return Plan.objects.order_by("-issued_on", "title")
    visible = access.visible_tasks(actor).filter(plan_id=OuterRef("pk"))
    return Plan.objects.filter(Exists(visible)).order_by("-issued_on", "title")


def plan_overview(actor: Actor) -> QuerySet[Plan]:
    """The office's list of plans, drafts awaiting review first, with their task counts
    and how many unit names are still undecided."""
    from closeout.ledger.models import UnitProposal

    if not access.can_edit(actor):
        raise NotFound(_("plans are the rectification office's"))
    undecided = UnitProposal.objects.filter(task__plan_id=OuterRef("pk"), decided=False)
    return (
        Plan.objects.defer("source_text")
        .annotate(
            task_count=Count("tasks", distinct=True),
            undecided=Subquery(
                undecided.values("task__plan_id").annotate(n=Count("id")).values("n")[:1]
            ),
        )
        .order_by(Case(When(status="draft", then=0), default=1), "-issued_on", "title")
    )


def inspections_for(actor: Actor) -> QuerySet[Inspection]:
    """The inspections in which the actor can see at least one task."""
    if actor.sees_everything:
        return Inspection.objects.order_by("-feedback_on", "name")
    visible = access.visible_tasks(actor).filter(inspection_id=OuterRef("pk"))
    return Inspection.objects.filter(Exists(visible)).order_by("-feedback_on", "name")


def unit_search(actor: Actor, *, parent: int | None = None, q: str = "") -> QuerySet[Unit]:
    """Pickable units, optionally only the children of `parent`, whose name, full name
    or any alias (including a former name such as 市环保局) contains every word of `q`."""
    qs = pickable_units(actor)
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    for word in search_words(q):
        qs = qs.filter(
            Q(name__contains=word)
            | Q(full_name__contains=word)
            | Exists(UnitAlias.objects.filter(unit_id=OuterRef("pk"), name__contains=word))
        )
    return qs


def unit_lookup(name_or_id: str) -> QuerySet[Unit]:
    """Units answering to a name, a former name or alias, or an id (for commands)."""
    if name_or_id.isdigit():
        return Unit.objects.filter(pk=int(name_or_id))
    return (
        Unit.objects.filter(
            Q(name=name_or_id) | Q(full_name=name_or_id) | Q(aliases__name=name_or_id)
        )
        .distinct()
        .order_by("path")
    )


def actor_unit(actor: Actor) -> Unit | None:
    """The unit an actor acts for, if any."""
    if actor.unit_id is None:
        return None
    return Unit.objects.filter(pk=actor.unit_id).first()


def tokens_of(user_id: int) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first (hashes only; keys are never kept)."""
    return ApiToken.objects.filter(user_id=user_id).order_by("-created_at", "-id")


@dataclass(frozen=True)
class UnitCounts:
    unit_id: int
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def unit_status_counts(
    actor: Actor, *, parent: int | None = None, role: str = "lead"
) -> list[UnitCounts]:
    """For each unit directly below `parent` (or each top unit), how many tasks its
    subtree takes part in with `role` (lead by default), by status.

    One grouped query: each assignment is mapped to the child subtree it falls in by a
    CASE over the children's path prefixes, and tasks are counted distinct per child, so
    a task led by two units of the same district counts once for that district.
    """
    units = (
        Unit.objects.filter(parent__isnull=True)
        if parent is None
        else Unit.objects.filter(parent_id=parent)
    )
    rows = list(units.order_by("path").values("id", "name", "path"))
    if actor.unit_path and not actor.sees_everything:
        rows = [
            r
            for r in rows
            if r["path"].startswith(actor.unit_path) or actor.unit_path.startswith(r["path"])
        ]
    if not rows:
        return []
    child = Case(
        *[When(unit__path__startswith=r["path"], then=Value(r["id"])) for r in rows],
        default=Value(None),
        output_field=BigIntegerField(),
    )
    # The status copied onto each assignment lets the whole count run on the assignment
    # table; only actors who see part of the ledger need the join to their tasks.
    assignments = TaskUnit.objects.filter(role=role)
    if parent is not None:
        assignments = assignments.filter(unit__path__startswith=unit_subtree_path(parent))
    if not actor.sees_everything:
        assignments = assignments.filter(task__in=access.visible_tasks(actor))
    grouped = (
        assignments.annotate(child=child)
        .exclude(child__isnull=True)
        .values("child", "task_status")
        .annotate(n=Count("task_id", distinct=True))
    )
    counts: dict[int, dict[str, int]] = {r["id"]: {} for r in rows}
    for g in grouped:
        counts[g["child"]][g["task_status"]] = g["n"]
    return [UnitCounts(unit_id=r["id"], name=r["name"], counts=counts[r["id"]]) for r in rows]


@dataclass
class PlanReview:
    """An imported plan as the office reviews it: tasks with their parts and the unit
    names awaiting a decision (see `services.plan_import`)."""

    plan: Any
    tasks: list[Any]
    undecided: int


def plan_review(actor: Actor, plan_id: int) -> PlanReview:
    """The review page's data; only the office reviews imports (others get NotFound)."""
    from closeout.ledger.models import Plan, UnitProposal

    if not access.can_edit(actor):
        raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    tasks = list(
        plan.tasks.select_related("problem")
        .prefetch_related("assignments__unit", "persons", "unit_proposals__unit")
        .order_by("seq")
    )
    undecided = UnitProposal.objects.filter(task__plan=plan, decided=False).count()
    return PlanReview(plan=plan, tasks=tasks, undecided=undecided)
