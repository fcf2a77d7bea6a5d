"""The sweep's rules on progress reports: missing-report records (漏报) and each task's
run of missed reports."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, DateField, Exists, F, Min, OuterRef, Q, QuerySet

from closeout.ledger.models import MissedReport, Plan, ProgressReport, Task, TaskState
from closeout.ledger.rules import cycles
from closeout.ledger.rules.workflow import REPORTING_STATES
from closeout.ledger.sweep.base import DAY, SINCE, Context
from closeout.ledger.sweep.sql import ROWS, Slot, Statement, compiled, insert_select, statement
from closeout.ledger.sweep.sqlrules import lead_unit

Figures = dict[str, int]


def plan_cycles() -> dict[cycles.Cycle, list[int]]:
    """Plans with tasks that owe reports, grouped by their reporting cycle."""
    groups: dict[cycles.Cycle, list[int]] = {}
    rows = Plan.objects.filter(tasks__status__in=REPORTING_STATES).distinct()
    for plan_id, kind, days, issued in rows.values_list(
        "id", "report_cycle", "report_cycle_days", "issued_on"
    ):
        groups.setdefault(cycles.Cycle.of_settings(kind, days, issued), []).append(plan_id)
    return groups


def due_periods(
    window_start: dt.date, day: dt.date, cycle: cycles.Cycle, grace: int
) -> list[cycles.Period]:
    """The periods of a cycle whose last on-time day fell in [window_start - 1, day - 1]:
    those that came due since the previous sweep."""
    first = cycles.period_of(window_start - dt.timedelta(days=grace + 1), cycle)
    return [
        period
        for period in cycles.periods_between(first.start, day, cycle)
        if window_start - dt.timedelta(days=1) <= period.due_by(grace) < day
    ]


def missed_reports(ctx: Context) -> Figures:
    grace = ctx.settings.report_grace_days
    written = 0
    for cycle, plan_ids in plan_cycles().items():
        for period in due_periods(ctx.window_start, ctx.day, cycle, grace):
            written += missed_statement(plan_ids).run(
                start=period.start, end=period.end, due=period.due_by(grace), day=ctx.day
            )
    return {"missed_reports": written}


def missed_statement(plan_ids: list[int]) -> Statement:
    return statement(("missed_reports", tuple(plan_ids)), _missed_statement, plan_ids)


def _missed_statement(plan_ids: list[int]) -> Statement:
    """Missing-report records for one period (slots start, end, due, day) of the plans'
    tasks that owe a report for it and have none."""
    start = Slot("start", DateField())
    owing = (
        Task.objects.filter(
            plan_id__in=plan_ids, status__in=REPORTING_STATES, start_date__lte=start
        )
        .exclude(Exists(ProgressReport.objects.filter(task_id=OuterRef("pk"), period_start=start)))
        .exclude(Exists(MissedReport.objects.filter(task_id=OuterRef("pk"), period_start=start)))
    )
    return insert_select(
        MissedReport,
        {
            "task_id": "_task",
            "unit_id": "_unit",
            "period_start": "_start",
            "period_end": "_end",
            "due_by": "_due",
            "recorded_on": "_on",
        },
        owing.annotate(
            _task=F("pk"),
            _unit=lead_unit(),
            _start=start,
            _end=Slot("end", DateField()),
            _due=Slot("due", DateField()),
            _on=DAY,
        ).values("_task", "_unit", "_start", "_end", "_due", "_on"),
    )


def report_streaks(ctx: Context) -> Figures:
    # The runs lengthened by this run's records, then the runs of tasks that no longer
    # owe reports (closed, cancelled, under review) cleared.
    changed = streak_extend(ctx.since(MissedReport))
    changed += streaks_cleared().update(missed_reports=0, missed_since=None)
    return {"streaks_changed": changed}


def streak_extend(since_id: int) -> int:
    """Extend the run of missed reports (`missed_reports`, `missed_since`) of the tasks
    that got missing-report records with ids above `since_id`.

    The sweep goes forward in time, so a new record is for a period later than any the
    task had: it lengthens the current run when it comes after the latest period the
    task reported for, and starts one when there was none. Only the new records are
    read; the answer is the whole rule's (`cycles.missed_run`, which
    `services.taskstate.streak_refresh` applies to one task) when the runs were right
    before, and a test holds the two together on random ledgers.
    """
    return statement("streak_extend", _streak_statement).run(since=since_id)


def _streak_statement() -> Statement:
    new = (
        MissedReport.objects.filter(
            id__gt=SINCE, report__isnull=True, task__status__in=REPORTING_STATES
        )
        .filter(
            Q(task__last_report_period__isnull=True)
            | Q(period_start__gt=F("task__last_report_period"))
        )
        .order_by()
        .values("task_id")
        .annotate(_n=Count("id"), _since=Min("period_start"))
        .values("task_id", "_n", "_since")
    )
    inner, params = compiled(new)
    qn = connection.ops.quote_name
    table = qn(TaskState._meta.db_table)
    template = (
        f"UPDATE {table} SET missed_reports = {table}.missed_reports + s.{qn('_n')}, "
        f"missed_since = CASE WHEN {table}.missed_reports > 0 THEN {table}.missed_since "
        f"ELSE s.{qn('_since')} END "
        f"FROM {ROWS} s WHERE {table}.task_id = s.{qn('task_id')}"
    )
    return Statement(template, inner, params, analyze=table)


def streaks_cleared() -> QuerySet[TaskState]:
    """The runs of the tasks that owe no reports (closed, cancelled, under review)."""
    return TaskState.objects.exclude(task__status__in=REPORTING_STATES).filter(missed_reports__gt=0)
