"""Many progress reports (进展报送) at once: a ledger workbook sent back by a unit.

`reports_create_many` is `reports.report_create` for a list of text-and-percent reports
for today's period (no milestone, no evidence files), with exactly its rules and its
audit event per report, in sets: one lock query, one permission query, one insert of
the reports and of their events, the derived state (run of missed reports, schedule
bucket) recomputed for all the tasks together. A test holds it to the same rows and
events as `report_create` one report at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    NotPermitted,
)
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    LoopSettings,
    Milestone,
    MissedReport,
    Plan,
    ProgressReport,
    ReportSource,
    Role,
    Task,
    TaskState,
    TaskUnit,
)
from closeout.ledger.rules import cycles, limits, schedule
from closeout.ledger.rules import progress as progress_rule
from closeout.ledger.rules.workflow import REPORTING_STATES, Status
from closeout.ledger.services.audit import audit_event
from closeout.ledger.services.reports import check_owed_period

CHUNK = 500  # ids per query (SQLite's and PostgreSQL's parameter limits are far above)


@dataclass(frozen=True)
class ReportItem:
    task_id: int
    text: str
    percent: int | None = None
    reason: str = ""


class ItemRefused(Exception):
    """Item `index` of the list was refused with `error` (nothing was written)."""

    def __init__(self, index: int, error: DomainError) -> None:
        super().__init__(error.message)
        self.index = index
        self.error = error


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def first_lead_units(task_ids: Sequence[int]) -> dict[int, int]:
    """The unit a report is filed for when the reporter speaks for no unit (the office):
    each task's first lead unit, by task id (tasks without one are absent)."""
    leads: dict[int, int] = {}
    for chunk in _chunks(task_ids):
        for task_id, unit_id in (
            TaskUnit.objects.filter(task_id__in=chunk, role=AssignmentRole.LEAD)
            .order_by("task_id", "pk")
            .values_list("task_id", "unit_id")
        ):
            leads.setdefault(task_id, unit_id)
    return leads


def reports_create_many(
    *, actor: Actor, items: Sequence[ReportItem], source: str = ReportSource.WORKBOOK
) -> list[ProgressReport]:
    """One progress report per item, all or none (ItemRefused names the first refused);
    `source` says how they came in (by default, in a ledger workbook sent back).

    1. Check each item's text, reason and percent (as `report_create`).
    2. Lock the tasks; refuse one the actor cannot see (NotFound), may not report on
       (NotPermitted) or that owes no reports in its state (InvalidTransition).
    3. Today's period by each plan's cycle; a report that lowers the progress needs a
       reason (`rules.progress`).
    4. Insert the reports, fill their periods' missed-report records, move the tasks'
       progress, recompute their runs of missed reports and schedule buckets, and
       append one "report.create" event per report.
    """
    checked: list[ReportItem] = []
    for index, item in enumerate(items):
        try:
            checked.append(_check_item(item))
        except DomainError as exc:
            raise ItemRefused(index, exc) from exc
    ids = list(dict.fromkeys(item.task_id for item in checked))
    if len(ids) != len(checked):
        raise InvalidInput(_("one report per task at a time"), field="task")
    with transaction.atomic():
        tasks: dict[int, Task] = {}
        for chunk in _chunks(ids):
            tasks.update(Task.objects.select_for_update().in_bulk(chunk))
        visible: set[int] = set()
        for chunk in _chunks(ids):
            visible.update(
                access.visible_tasks(actor, Task.objects.filter(pk__in=chunk)).values_list(
                    "pk", flat=True
                )
            )
        plans = Plan.objects.in_bulk({task.plan_id for task in tasks.values()})
        now = clock.now()
        today = clock.today()
        grace = LoopSettings.current().report_grace_days
        owed_of: dict[int, cycles.Period] = {}
        for index, item in enumerate(checked):
            try:
                owed_of[item.task_id] = _check_task(
                    actor, item, tasks.get(item.task_id), visible, plans, today
                )
            except DomainError as exc:
                raise ItemRefused(index, exc) from exc
        leads = first_lead_units(ids) if actor.unit_id is None else {}
        reports = ProgressReport.objects.bulk_create(
            [
                ProgressReport(
                    task_id=item.task_id,
                    unit_id=actor.unit_id if actor.unit_id is not None else leads.get(item.task_id),
                    reporter_id=actor.user_id,
                    submitted_at=now,
                    text=item.text,
                    percent=item.percent,
                    reason=item.reason,
                    period_start=owed_of[item.task_id].start,
                    period_end=owed_of[item.task_id].end,
                    late=cycles.is_late(now, owed_of[item.task_id], grace),
                    source=source,
                )
                for item in checked
            ],
            batch_size=CHUNK,
        )
        by_task = {report.task_id: report for report in reports}
        _fill_missed(by_task, owed_of, now)
        befores: dict[int, int] = {}
        stamp = timezone.now()
        for item in checked:
            task = tasks[item.task_id]
            owed = owed_of[item.task_id]
            current = progress_rule.is_current(owed.start, task.last_report_period)
            befores[task.pk] = task.progress
            task.progress = progress_rule.new_progress(
                task.progress, item.percent, current_period=current
            )
            task.last_reported_at = now
            if task.last_report_period is None or owed.start > task.last_report_period:
                task.last_report_period = owed.start
            task.updated_at = stamp
        # One UPDATE per distinct (progress, period): far fewer than the tasks, and much
        # cheaper than bulk_update's CASE over thousands of rows.
        groups: dict[tuple[int, Any], list[int]] = defaultdict(list)
        for i in ids:
            groups[(tasks[i].progress, tasks[i].last_report_period)].append(i)
        for (progress, period), task_ids in groups.items():
            for chunk in _chunks(task_ids):
                Task.objects.filter(pk__in=chunk).update(
                    progress=progress, last_reported_at=now, last_report_period=period,
                    updated_at=stamp,
                )  # fmt: skip
        _streaks_refresh([tasks[i] for i in ids])
        _buckets_refresh(ids, today)
        AuditEvent.objects.bulk_create(
            [_event(actor, by_task[item.task_id], tasks[item.task_id], befores, item)
             for item in checked],
            batch_size=CHUNK,
        )  # fmt: skip
    return reports


def _check_item(item: ReportItem) -> ReportItem:
    if not item.text.strip():
        raise InvalidInput(_("the report needs a text"), field="text")
    text = limits.REPORT_TEXT.check(item.text)
    reason = limits.FALL_REASON.check(item.reason)
    if item.percent is not None and not 0 <= item.percent <= 100:
        raise InvalidInput(_("progress must be between 0 and 100"), field="percent")
    return ReportItem(item.task_id, text, item.percent, reason)


def _check_task(
    actor: Actor,
    item: ReportItem,
    task: Task | None,
    visible: set[int],
    plans: dict[int, Plan],
    today: Any,
) -> cycles.Period:
    if task is None or task.pk not in visible:
        raise NotFound(_("task %(task)s does not exist") % {"task": item.task_id})
    # `access.can_report`: the office; a unit for tasks it is responsible for, which are
    # the tasks a unit sees (`access.visible_tasks`: its responsible scope, no drafts).
    if actor.role not in (Role.OFFICE, Role.UNIT):
        raise NotPermitted(
            _("%(actor)s does not report on task %(task)s")
            % {"actor": actor.label, "task": item.task_id}
        )
    if task.status not in REPORTING_STATES:
        raise InvalidTransition(
            _("no progress reports while the task is '%(status)s'")
            % {"status": Status(task.status).label}
        )
    plan = plans[task.plan_id]
    cycle = cycles.Cycle.of_settings(plan.report_cycle, plan.report_cycle_days, plan.issued_on)
    owed = cycles.period_of(today, cycle)
    check_owed_period(task, owed, today)
    current = progress_rule.is_current(owed.start, task.last_report_period)
    if not item.reason and progress_rule.falls(task.progress, item.percent, current_period=current):
        raise InvalidInput(
            _("progress falls from %(before)s%% to %(after)s%%: say why")
            % {"before": task.progress, "after": item.percent},
            field="reason",
        )
    return owed


def _fill_missed(
    by_task: dict[int, ProgressReport], owed_of: dict[int, cycles.Period], now: Any
) -> None:
    filled = []
    ids = list(by_task)
    for chunk in _chunks(ids):
        for missed in MissedReport.objects.filter(task_id__in=chunk, report__isnull=True):
            if missed.period_start == owed_of[missed.task_id].start:
                missed.report = by_task[missed.task_id]
                missed.filled_at = now
                filled.append(missed)
    for missed in filled:  # each its own report; few are open for the current period
        MissedReport.objects.filter(pk=missed.pk).update(report=missed.report, filled_at=now)


def _streaks_refresh(tasks: list[Task]) -> None:
    """`taskstate.streak_refresh` for many tasks: one query for their unfilled periods,
    one update per distinct run."""
    unfilled: dict[int, list[Any]] = defaultdict(list)
    owing = [task.pk for task in tasks if task.status in REPORTING_STATES]
    for chunk in _chunks(owing):
        for task_id, start in MissedReport.objects.filter(
            task_id__in=chunk, report__isnull=True
        ).values_list("task_id", "period_start"):
            unfilled[task_id].append(start)
    runs: dict[tuple[int, Any], list[int]] = defaultdict(list)
    for task in tasks:
        owes = task.status in REPORTING_STATES
        run = cycles.missed_run(
            unfilled.get(task.pk, []) if owes else [],
            last_reported=task.last_report_period,
            owes=owes,
        )
        runs[(run.count, run.since)].append(task.pk)
    for (count, since), task_ids in runs.items():
        for chunk in _chunks(task_ids):
            TaskState.objects.filter(task_id__in=chunk).exclude(
                missed_reports=count, missed_since=since
            ).update(missed_reports=count, missed_since=since)


def _buckets_refresh(ids: list[int], today: Any) -> None:
    """`taskstate.bucket_refresh` for many tasks, by the same pure rule."""
    changed: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(ids):
        milestones: dict[int, list[schedule.MilestoneFacts]] = defaultdict(list)
        for task_id, due, pct, reached in Milestone.objects.filter(task_id__in=chunk).values_list(
            "task_id", "due_date", "expected_progress", "reached_on"
        ):
            milestones[task_id].append(schedule.MilestoneFacts(due, pct, reached))
        rows = Task.objects.filter(pk__in=chunk).values_list(
            "pk", "status", "start_date", "due_date", "immediate", "ongoing", "progress",
            "state__missed_reports", "state__bucket",
        )  # fmt: skip
        for pk, status, start, due, immediate, ongoing, progress, missed, old in rows:
            bucket = ""
            if status in schedule.COUNTED_STATES:
                facts = schedule.ScheduleFacts(
                    status=status,
                    start=start,
                    due=due,
                    immediate=immediate,
                    ongoing=ongoing,
                    progress=progress,
                    milestones=tuple(milestones.get(pk, ())),
                    reporting=missed == 0,
                )
                bucket = str(schedule.schedule_status(facts, today).bucket)
            if bucket != old:
                changed[bucket].append(pk)
    for bucket, task_ids in changed.items():
        for part in _chunks(task_ids):
            TaskState.objects.filter(task_id__in=part).update(bucket=bucket)


def _event(
    actor: Actor, report: ProgressReport, task: Task, befores: dict[int, int], item: ReportItem
) -> AuditEvent:
    """The event `report_create` appends through `audit()`, in the same JSON form."""
    return audit_event(
        actor,
        "report.create",
        report,
        task_id=task.pk,
        before={"progress": befores[task.pk]},
        after={
            "progress": task.progress,
            "text": report.text,
            "milestone": None,
            "period": report.period_start.isoformat() if report.period_start else None,
            "late": report.late,
            **({"reason": item.reason} if item.reason else {}),
        },
        note="",
    )
