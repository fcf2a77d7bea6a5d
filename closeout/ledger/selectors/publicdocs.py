"""The two public documents' data: the progress report of a published plan (整改进展情况
公示) and the close-out notice of a task under public notice (销号公示).

Both read only what the portal shows, through the portal's own sets and records
(`closeout.ledger.selectors.public`: published plans, public tasks, `public_task`), so
that what is public stays decided in one place. No responsible person (责任人), no
staff name, no progress-report or self-assessment text, no opinion, no evidence: the
progress a document states is the task's state, its percentage and the days its
close-out passed a step, as on the task's public page.

`progress_report` buckets every task by the schedule rule (`rules.schedule`) as of the
report's day, from the record as it stands (progress, milestones reached by that day,
the current run of missed reports): for today it is the bucket the sweep keeps and the
portal shows. Five queries, whatever the plan's size (the plan, its tasks, their units,
their milestones, and the office's name).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from closeout.documents.publicdata import (
    BucketCount,
    NoticeData,
    ProgressReportData,
    ReportProblem,
    ReportTask,
    UnitPart,
)
from closeout.ledger import clock
from closeout.ledger.errors import NotFound
from closeout.ledger.models import (
    AssignmentRole,
    LoopSettings,
    Milestone,
    StepKind,
    Task,
    TaskUnit,
)
from closeout.ledger.rules import schedule
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors import public as portal

REPORT_FIELDS = (
    "id",
    "seq",
    "text",
    "target",
    "deadline_raw",
    "due_date",
    "start_date",
    "immediate",
    "ongoing",
    "progress",
    "status",
    "closed_on",
    "notice_until",
    "state__missed_reports",
    "problem_id",
    "problem__seq",
    "problem__number",
    "problem__title",
)
# The office's name when it has set none (the model's default).
DEFAULT_OFFICE = "整改办"


def office_name() -> str:
    """The body that publishes the portal's documents: the office's issuing body (闭环
    参数), read without creating the settings row (a GET writes nothing)."""
    name = LoopSettings.objects.filter(pk=1).values_list("issuing_body", flat=True).first()
    return (name or "").strip() or DEFAULT_OFFICE


def _label(choices: Any, value: str) -> Any:
    return choices(value).label if value in choices.values else ""


def _totals(buckets: Iterable[str]) -> tuple[BucketCount, ...]:
    counts = dict.fromkeys(Bucket.values, 0)
    for bucket in buckets:
        if bucket in counts:
            counts[bucket] += 1
    return tuple(BucketCount(b.value, counts[b.value], b.label) for b in Bucket)


def _names_by_part(tasks: QuerySet[Task], parts: Iterable[str]) -> dict[int, dict[str, list[str]]]:
    """Each task's unit names by part in one query over the set: a unit named through a
    collective reference is the collective as the plan wrote it (as on the portal)."""
    names: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        TaskUnit.objects.filter(task__in=tasks.values("pk"), role__in=list(parts))
        .order_by("task_id", "id")
        .values_list("task_id", "role", "unit__name", "via_group__name")
    )
    for task_id, role, unit_name, group_name in rows:
        listed = names[task_id][role]
        name = group_name or unit_name
        if name not in listed:
            listed.append(name)
    return names


def _milestones(tasks: QuerySet[Task]) -> dict[int, list[schedule.MilestoneFacts]]:
    found: dict[int, list[schedule.MilestoneFacts]] = defaultdict(list)
    rows = Milestone.objects.filter(task__in=tasks.values("pk")).values_list(
        "task_id", "due_date", "expected_progress", "reached_on"
    )
    for task_id, due, expected, reached in rows:
        found[task_id].append(schedule.MilestoneFacts(due, expected, reached))
    return found


def _bucket(row: dict[str, Any], milestones: list[schedule.MilestoneFacts], as_of: dt.date) -> str:
    if row["status"] not in schedule.COUNTED_STATES:  # never on the portal; counted nowhere
        return ""
    facts = schedule.ScheduleFacts(
        status=row["status"],
        start=row["start_date"],
        due=row["due_date"],
        immediate=row["immediate"],
        ongoing=row["ongoing"],
        progress=row["progress"],
        milestones=tuple(milestones),
        reporting=not row["state__missed_reports"],
    )
    return str(schedule.schedule_status(facts, as_of).bucket)


def progress_report(plan_id: int, as_of: dt.date | None = None) -> ProgressReportData:
    """The public progress report of a published plan as of `as_of` (today when None):
    per problem its public tasks with target, units, deadline, schedule bucket and
    progress, with the totals per bucket. NotFound for a plan that is not published."""
    plan = (
        portal.published_plans().filter(pk=plan_id).values(*portal.PLAN_FIELDS).first()
    )  # a draft, an unpublished or a superseded plan has none
    if plan is None:
        raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    day = as_of or clock.today()
    tasks = portal.public_tasks().filter(plan_id=plan_id)
    rows = list(tasks.order_by("problem__seq", "problem_id", "seq").values(*REPORT_FIELDS))
    units = _names_by_part(tasks, (AssignmentRole.LEAD, AssignmentRole.COOP))
    milestones = _milestones(tasks)
    by_problem: dict[int, list[ReportTask]] = defaultdict(list)
    heads: dict[int, dict[str, Any]] = {}
    for r in rows:
        bucket = _bucket(r, milestones[r["id"]], day)
        heads.setdefault(r["problem_id"], r)
        by_problem[r["problem_id"]].append(
            ReportTask(
                id=r["id"],
                seq=r["seq"],
                text=r["text"],
                target=r["target"],
                lead_units=tuple(units[r["id"]][AssignmentRole.LEAD]),
                coop_units=tuple(units[r["id"]][AssignmentRole.COOP]),
                deadline=r["deadline_raw"],
                due_date=r["due_date"],
                bucket=bucket,
                progress=r["progress"],
                status=r["status"],
                closed_on=r["closed_on"],
                notice_until=r["notice_until"] if r["status"] == Status.NOTICE else None,
                bucket_label=_label(Bucket, bucket),
                status_label=_label(Status, r["status"]),
            )
        )
    problems = tuple(
        ReportProblem(
            id=problem_id,
            seq=head["problem__seq"],
            number=head["problem__number"],
            title=head["problem__title"],
            tasks=tuple(by_problem[problem_id]),
            totals=_totals(t.bucket for t in by_problem[problem_id]),
        )
        for problem_id, head in heads.items()
    )
    return ProgressReportData(
        plan_id=plan["id"],
        title=plan["title"],
        issuer=plan["issuer"],
        issued_on=plan["issued_on"],
        office=office_name(),
        as_of=day,
        problems=problems,
        totals=_totals(t.bucket for p in problems for t in p.tasks),
    )


def in_notice(task_id: int) -> bool:
    """Whether the task has a close-out notice on the portal: a public task under public
    notice (公示中), from the preliminary review until the notice is ended."""
    return (
        portal.public_tasks()
        .filter(pk=task_id, status=Status.NOTICE, notice_until__isnull=False)
        .exists()
    )


def objection_path(task_id: int) -> str:
    """The portal page of the task at its objection form."""
    return reverse("web:public_task", args=[task_id]) + "#objections"


def closeout_notice(task_id: int, *, base_url: str = "") -> NoticeData:
    """The close-out notice (销号公示) of a task under public notice: the task, its target,
    measures and units, its progress, the days its close-out was requested and passed
    review, the notice period and where to object (the task's portal page, prefixed by
    `base_url` when given, e.g. "https://portal.example"). NotFound for a task that is not
    public or not under notice (not yet, or no longer)."""
    if not in_notice(task_id):
        raise NotFound(_("task %(task)s is not under public notice") % {"task": task_id})
    task = portal.public_task(task_id)
    row = task.row
    assert row.notice_until is not None  # in_notice checked it
    latest = max((s.round for s in task.steps), default=0)
    this_round = [s for s in task.steps if s.round == latest]
    requested = [s.on for s in this_round if s.kind == StepKind.REQUEST]
    reviewed = [s.on for s in this_round if s.kind == StepKind.REVIEW]
    reviewed_on = reviewed[-1] if reviewed else None
    notice_from = task.notice_from or reviewed_on or row.notice_until
    names = _parts(task_id)
    return NoticeData(
        task_id=row.id,
        seq=row.seq,
        text=row.text,
        target=task.target,
        measures=tuple(task.measures),
        plan_title=row.plan_title,
        plan_issuer=_plan_issuer(row.plan_id),
        problem_number=task.problem_number or str(task.problem_seq),
        problem_title=row.problem_title,
        units=tuple(
            UnitPart(part, tuple(names[part]), AssignmentRole(part).label)
            for part in portal.UNIT_PARTS
            if names.get(part)
        ),
        deadline=row.deadline_raw,
        due_date=row.due_date,
        progress=row.progress,
        requested_on=requested[-1] if requested else None,
        reviewed_on=reviewed_on,
        notice_from=notice_from,
        notice_until=row.notice_until,
        office=office_name(),
        objection_url=base_url.rstrip("/") + objection_path(row.id),
        status_label=row.status_label,
    )


def _parts(task_id: int) -> dict[str, list[str]]:
    return _names_by_part(Task.objects.filter(pk=task_id), portal.UNIT_PARTS)[task_id]


def _plan_issuer(plan_id: int) -> str:
    issuer = portal.published_plans().filter(pk=plan_id).values_list("issuer", flat=True).first()
    return issuer or ""
