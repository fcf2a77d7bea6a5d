"""The first screens of the units (工作台): what a responsible unit (责任单位) owes this
period, and what a supervising unit (督导单位) must act on (its queue).

Each list is read in a fixed number of queries whatever the number of tasks (no query
per task): the reporting periods come from the plans' cycles (`rules.cycles`), one
period per cycle; who may act comes from `access` in bulk (`access.tasks_open_to`), the
same rules as the task page's checks. Lists are cut at ITEMS_SHOWN rows and say when
there are more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotPermitted
from closeout.ledger.models import (
    CloseoutStep,
    Escalation,
    Evidence,
    LookbackCheck,
    LookbackState,
    LoopSettings,
    MissedReport,
    Objection,
    Plan,
    Role,
    StepKind,
    Task,
)
from closeout.ledger.rules import cycles
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import DONE_STATES, REPORTING_STATES, Status

T = TypeVar("T")

ITEMS_SHOWN = 50  # rows of each list of "what I owe" and of the queue
TASKS_PER_BUCKET = 20  # tasks shown under each schedule bucket
NOTICE_SOON_DAYS = 7  # notices whose last day is at most this far off
LOOKBACK_AHEAD_DAYS = 30  # look-back checks due within this many days (and overdue ones)
EVIDENCE_SHOWN = 12  # evidence files beside a queue item
# The buckets in the order a unit acts on them: the worst first.
BUCKET_ORDER = (Bucket.OVERDUE, Bucket.BEHIND, Bucket.ON_SCHEDULE, Bucket.SUSTAINED, Bucket.DONE)


@dataclass(frozen=True)
class Cut(Generic[T]):
    """The first rows of a list, and whether there are more."""

    rows: list[T]
    more: bool = False

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)


def _cut(qs: QuerySet[Any] | Iterable[Any], size: int = ITEMS_SHOWN) -> Cut[Any]:
    rows = list(qs[: size + 1]) if isinstance(qs, QuerySet) else list(qs)[: size + 1]
    return Cut(rows[:size], len(rows) > size)


@dataclass(frozen=True)
class DueReport:
    """A report a task owes for the current period of its plan's cycle (调度周期)."""

    task: Task
    period: cycles.Period
    due_by: dt.date


@dataclass(frozen=True)
class BucketTasks:
    bucket: str
    label: Any
    count: int
    tasks: list[Task]


@dataclass
class UnitWorkspace:
    """What a responsible unit owes (its own tasks and those of the units below it),
    then its tasks by schedule bucket (序时进度)."""

    today: dt.date
    due: Cut[DueReport]
    missed: Cut[MissedReport]  # past periods still without a report (漏报)
    returned: Cut[CloseoutStep]  # close-outs sent back (退回) and tasks reopened (反弹)
    measures: Cut[Escalation]  # escalation measures (督办) to respond to
    objections: Cut[Objection]  # objections to tasks now on public notice
    buckets: list[BucketTasks] = field(default_factory=list)

    @property
    def owed(self) -> int:
        return (
            len(self.due)
            + len(self.missed)
            + len(self.returned)
            + len(self.measures)
            + len(self.objections)
        )


def _listed(qs: QuerySet[Task]) -> QuerySet[Task]:
    """What a row of the workspace shows of a task (never the plan's source text)."""
    return qs.select_related("state", "problem").defer("problem__text")


def _cycle(kind: str, days: int | None, issued: dt.date | None) -> cycles.Cycle:
    # The cycle as the report service and the sweep read it (anchored on the plan's date).
    return cycles.Cycle.of_settings(kind, days, issued)


def reports_due(tasks: QuerySet[Task], today: dt.date) -> list[DueReport]:
    """The tasks of `tasks` that owe a report for the current period of their plan's
    cycle and have none for it yet: in a reporting state, started on or before the
    period's first day (the period in which a task starts is free, as for the sweep),
    their latest reported period before this one. Two queries: the plans, the tasks."""
    owing = tasks.filter(status__in=REPORTING_STATES)
    plans = Plan.objects.filter(pk__in=owing.values("plan_id")).values_list(
        "id", "report_cycle", "report_cycle_days", "issued_on"
    )
    period_of_plan: dict[int, cycles.Period] = {}
    by_period: dict[cycles.Period, list[int]] = {}
    for plan_id, kind, days, issued in plans:
        period = cycles.period_of(today, _cycle(kind, days, issued))
        period_of_plan[plan_id] = period
        by_period.setdefault(period, []).append(plan_id)
    if not by_period:
        return []
    unreported = Q()
    for period, plan_ids in by_period.items():
        unreported |= Q(plan_id__in=plan_ids, start_date__lte=period.start) & (
            Q(last_report_period__isnull=True) | Q(last_report_period__lt=period.start)
        )
    grace = LoopSettings.current().report_grace_days
    rows = _listed(owing.filter(unreported)).order_by("due_date", "plan_id", "seq", "id")
    return [
        DueReport(task, period_of_plan[task.plan_id], period_of_plan[task.plan_id].due_by(grace))
        for task in rows[: ITEMS_SHOWN + 1]
    ]


def _own_units(actor: Actor) -> Q:
    """A record addressed to the actor's unit or a unit below it (or to no unit)."""
    return Q(unit__isnull=True) | Q(unit__path__startswith=actor.unit_path or "-")


def unit_workspace(actor: Actor) -> UnitWorkspace:
    """The responsible unit's first screen (see the class). Refused to other roles."""
    if actor.role != Role.UNIT:
        raise NotPermitted(_("The workspace is for responsible units."))
    today = clock.today()
    mine = access.visible_tasks(actor)
    reporting = mine.filter(status__in=REPORTING_STATES)
    due = reports_due(mine, today)
    missed = (
        MissedReport.objects.filter(task__in=reporting, report__isnull=True)
        .select_related("task", "task__state")
        .order_by("period_start", "task_id")
    )
    # A send-back ends its round; the task is back in progress until the next request.
    returned = (
        CloseoutStep.objects.filter(
            task__in=mine.filter(status=Status.IN_PROGRESS),
            kind__in=[StepKind.SEND_BACK, StepKind.REOPEN],
            round=F("task__closeout_round"),
        )
        .select_related("task", "unit")
        .order_by("-at", "-id")
    )
    measures = (
        Escalation.objects.filter(task__in=mine, responded_at__isnull=True, lifted_on__isnull=True)
        .filter(_own_units(actor))
        .select_related("task", "unit")
        .order_by(F("response_due").asc(nulls_last=True), "-rank", "id")
    )
    objections = (
        Objection.objects.filter(
            task__in=mine.filter(status=Status.NOTICE), round=F("task__closeout_round")
        )
        .select_related("task")
        .order_by("-lodged_at", "-id")
    )
    return UnitWorkspace(
        today=today,
        due=_cut(due),
        missed=_cut(missed),
        returned=_cut(returned),
        measures=_cut(measures),
        objections=_cut(objections),
        buckets=tasks_by_bucket(mine),
    )


def tasks_by_bucket(tasks: QuerySet[Task]) -> list[BucketTasks]:
    """How many of `tasks` are in each schedule bucket, worst first, with the first
    TASKS_PER_BUCKET of each by due date: one count and one query per bucket."""
    counts = dict(
        tasks.exclude(status__in=[Status.DRAFT, Status.CANCELLED])
        .values_list("state__bucket")
        .annotate(n=Count("id"))
        .values_list("state__bucket", "n")
    )
    out = []
    for bucket in BUCKET_ORDER:
        count = counts.get(bucket.value, 0)
        if not count:
            continue
        rows = _listed(tasks.filter(state__bucket=bucket.value)).order_by(
            F("due_date").asc(nulls_last=True), "plan_id", "seq"
        )
        out.append(BucketTasks(bucket.value, bucket.label, count, list(rows[:TASKS_PER_BUCKET])))
    return out


# --- the supervising unit's queue ------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A task waiting for the supervising unit, with the current round's close-out steps
    (its history) and the task's evidence files beside it."""

    task: Task
    steps: list[CloseoutStep]
    evidence: list[Evidence]
    open_objections: int = 0
    check: LookbackCheck | None = None


@dataclass
class SupervisorQueue:
    today: dt.date
    review: Cut[QueueItem]  # close-outs waiting for the preliminary review (初审)
    notices: Cut[QueueItem]  # public notices (公示) ending soon
    checks: Cut[QueueItem]  # on-site checks (核查) to make
    lookbacks: Cut[QueueItem]  # look-back checks (回头看) due

    @property
    def total(self) -> int:
        return len(self.review) + len(self.notices) + len(self.checks) + len(self.lookbacks)

    def step_actor_ids(self) -> list[int | None]:
        return [
            s.actor_id
            for cut in (self.review, self.notices, self.checks, self.lookbacks)
            for item in cut
            for s in item.steps
        ]


def _with_loop(qs: QuerySet[Task]) -> QuerySet[Task]:
    """A queue row's task with its close-out steps (and their files) and its evidence."""
    return _listed(qs).prefetch_related(
        Prefetch(
            "closeout_steps",
            queryset=CloseoutStep.objects.select_related("unit")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
            .order_by("round", "id"),
        ),
        Prefetch("evidence", queryset=Evidence.objects.order_by("-id")),
    )


def _item(task: Task, **extra: Any) -> QueueItem:
    steps = [s for s in task.closeout_steps.all() if s.round == max(task.closeout_round, 1)]
    return QueueItem(task, steps, list(task.evidence.all())[:EVIDENCE_SHOWN], **extra)


def _items(qs: QuerySet[Task]) -> Cut[QueueItem]:
    rows = list(_with_loop(qs)[: ITEMS_SHOWN + 1])
    return Cut([_item(t) for t in rows[:ITEMS_SHOWN]], len(rows) > ITEMS_SHOWN)


def supervisor_queue(actor: Actor) -> SupervisorQueue:
    """What a supervising unit (or the office) must act on, each list only the tasks on
    which the actor may take that step (`access.tasks_open_to`): close-outs waiting for
    the preliminary review (初审), public notices ending within NOTICE_SOON_DAYS (their
    objections to answer, or a send-back), on-site checks (核查), and look-back checks
    (回头看) of the current closing due within LOOKBACK_AHEAD_DAYS."""
    if actor.role not in (Role.SUPERVISOR, Role.OFFICE):
        raise NotPermitted(_("The queue is for supervising units and the office."))
    today = clock.today()
    seen = access.visible_tasks(actor)
    review = access.tasks_open_to(
        actor, "pass_review", seen.filter(status=Status.REQUESTED)
    ).order_by("updated_at", "id")
    notices = (
        access.tasks_open_to(
            actor,
            "send_back",
            seen.filter(
                status=Status.NOTICE,
                notice_until__lte=today + dt.timedelta(days=NOTICE_SOON_DAYS),
            ),
        )
        .annotate(
            open_objections=Count(
                "objections",
                filter=Q(objections__answered_at__isnull=True, objections__spam_at__isnull=True),
            )
        )
        .order_by("notice_until", "id")
    )
    checks = access.tasks_open_to(actor, "verify", seen.filter(status=Status.VERIFICATION))
    lookbacks = (
        LookbackCheck.objects.filter(
            state=LookbackState.SCHEDULED,
            due_on__lte=today + dt.timedelta(days=LOOKBACK_AHEAD_DAYS),
            task__in=access.tasks_open_to(
                actor, access.LOOKBACK, seen.filter(status__in=DONE_STATES)
            ),
            task__closed_on=F("closed_on"),
        )
        .select_related("task")
        .order_by("due_on", "id")
    )
    notice_rows = list(_with_loop(notices)[: ITEMS_SHOWN + 1])
    checks_cut = list(lookbacks[: ITEMS_SHOWN + 1])
    lookback_tasks = {
        t.pk: t for t in _with_loop(Task.objects.filter(pk__in=[c.task_id for c in checks_cut]))
    }
    return SupervisorQueue(
        today=today,
        review=_items(review),
        notices=Cut(
            [
                _item(t, open_objections=t.open_objections)  # type: ignore[attr-defined]
                for t in notice_rows[:ITEMS_SHOWN]
            ],
            len(notice_rows) > ITEMS_SHOWN,
        ),
        checks=_items(checks.order_by("updated_at", "id")),
        lookbacks=Cut(
            [
                _item(lookback_tasks[c.task_id], check=c)
                for c in checks_cut[:ITEMS_SHOWN]
                if c.task_id in lookback_tasks
            ],
            len(checks_cut) > ITEMS_SHOWN,
        ),
    )
