"""A task's row lock and the derived state kept beside it (`TaskState`): its run of
missed reports (漏报) and its schedule bucket (序时进度), refreshed one task at a time after a
change that moves them. The sweep keeps the same fields for all tasks at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from closeout.ledger import clock
from closeout.ledger.errors import NotFound
from closeout.ledger.models import Milestone, MissedReport, Task, TaskState
from closeout.ledger.rules import cycles, schedule
from closeout.ledger.rules.workflow import REPORTING_STATES

MilestoneRow = tuple[dt.date, int, dt.date | None]  # due date, expected progress, reached on


def lock_task(task_id: int) -> Task:
    # On PostgreSQL the row lock makes concurrent writers queue; on SQLite the IMMEDIATE
    # transaction already serialises writers.
    try:
        return Task.objects.select_for_update().get(pk=task_id)
    except Task.DoesNotExist:
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id}) from None


def streak_refresh(task: Task) -> None:
    """Recompute one task's run of missed reports (漏报) after a report or a change of
    status, by the rule of `closeout.ledger.rules.cycles.missed_run`: the missing
    periods still unfilled after the latest period it reported for, while it owes
    reports, and none while it does not (under review, closed). The sweep keeps the
    same rule for all tasks in sets (`closeout.ledger.sweep.reports`), and a test holds
    the two to the same answers on random ledgers. A task sent back or reopened owes
    reports again, and its run is what it left unreported. `task` is the caller's
    locked row, with its new status and latest period reported for."""
    owes = task.status in REPORTING_STATES
    unfilled = (
        MissedReport.objects.filter(task_id=task.pk, report__isnull=True).values_list(
            "period_start", flat=True
        )
        if owes
        else []
    )
    run = cycles.missed_run(unfilled, last_reported=task.last_report_period, owes=owes)
    TaskState.objects.filter(task_id=task.pk).exclude(
        missed_reports=run.count, missed_since=run.since
    ).update(missed_reports=run.count, missed_since=run.since)


def bucket_of(
    task: Task,
    milestones: Iterable[MilestoneRow] = (),
    missed_reports: int = 0,
    day: dt.date | None = None,
) -> str:
    """A task's schedule bucket as of ``day`` (today by default), by the pure rule
    (`rules.schedule`): its status, dates, flags and progress, its milestones as (due
    date, expected progress, reached on) and its run of missed reports; "" for a task the
    schedule does not count."""
    if task.status not in schedule.COUNTED_STATES:
        return ""
    facts = schedule.ScheduleFacts(
        status=task.status,
        start=task.start_date,
        due=task.due_date,
        immediate=task.immediate,
        ongoing=task.ongoing,
        progress=task.progress,
        milestones=tuple(schedule.MilestoneFacts(*row) for row in milestones),
        reporting=missed_reports == 0,
    )
    return str(schedule.schedule_status(facts, day or clock.today()).bucket)


def bucket_refresh(task_id: int) -> None:
    """Store one task's schedule bucket as of today (after a change that moves it).

    One task at a time, the pure rule (`closeout.ledger.rules.schedule`) is cheaper than the
    SQL form the sweep uses for all tasks; a test holds the two to the same answers.
    """
    task = (
        Task.objects.select_related("state")
        .only(
            "status", "start_date", "due_date", "immediate", "ongoing", "progress",
            "state__missed_reports", "state__bucket",
        )
        .get(pk=task_id)
    )  # fmt: skip
    bucket = ""
    if task.status in schedule.COUNTED_STATES:
        milestones = Milestone.objects.filter(task_id=task_id).values_list(
            "due_date", "expected_progress", "reached_on"
        )
        bucket = bucket_of(task, milestones, task.state.missed_reports)
    if bucket != task.state.bucket:
        TaskState.objects.filter(task_id=task_id).update(bucket=bucket)
