"""The sweep (定时核查): applies the closed loop's rules to every task as of a date.

`closeout sweep [--as-of DATE]` calls `run`. In one transaction, set-based (a handful
of SQL statements over all tasks, never a Python loop over tasks), it

1. records missing progress reports (漏报) for the reporting periods that ended since
   the previous sweep (`MissedReport`), and the run of missed reports on each task;
2. stores every confirmed task's schedule bucket (序时进度, `TaskState.bucket`);
3. ends public notices (公示) whose working days have run out with every objection
   answered (the `end_notice` transition, taken by the system, audited per task);
4. schedules look-back checks (回头看) for closed tasks, and tells whoever does them
   when one falls due;
5. lifts escalation measures whose cause is gone and issues the ones the office's
   rules now call for, never twice for the same cause (督办);
6. writes the notifications (inbox) for what it recorded.

Running it twice for the same date changes nothing the second time (every insert is
guarded by "not already there", every update by "value differs"), so a timer may run
it as often as it likes. E-mail digests are sent after the transaction commits
(`closeout.ledger.services.notifications.digests_send`).

The rules themselves, in SQL, are in `closeout.ledger.sqlrules`.
"""

from __future__ import annotations

import datetime as dt
import logging
import operator
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import LessThanOrEqual

from closeout.ledger import clock
from closeout.ledger.errors import Conflict, InvalidTransition
from closeout.ledger.models import (
    AssignmentRole,
    Escalation,
    EscalationRule,
    LookbackCheck,
    LookbackState,
    LoopSettings,
    MissedReport,
    Notification,
    NotificationKind,
    Objection,
    Plan,
    ProgressReport,
    Role,
    SweepRun,
    Task,
    TaskState,
    TaskUnit,
    load_entered_days,
)
from closeout.ledger.rules import calendar, cycles
from closeout.ledger.rules.escalation import RANK, Level, Trigger
from closeout.ledger.rules.schedule import COUNTED_STATES, Bucket
from closeout.ledger.rules.workflow import REPORTING_STATES, Status
from closeout.ledger.sql import (
    ROWS,
    AddMonths,
    Slot,
    Statement,
    compiled,
    insert_select,
    staging,
    statement,
    update_from,
)
from closeout.ledger.sqlrules import (
    bucket_expression,
    cause_expression,
    lead_unit,
    rule_condition,
    rule_size,
)

log = logging.getLogger(__name__)

# The values that change from one run to the next are slots of statements compiled once
# per process (`closeout.ledger.sql.statement`).
DAY = Slot("day", DateField())
SINCE = Slot("since", IntegerField())
NOW = Slot("now", DateTimeField())

# From this many tasks on, the sweep stages the rows of each write (see `run`).
STAGE_FROM = 50_000

# An advisory lock key, so that two sweeps on PostgreSQL queue instead of interleaving.
_LOCK_KEY = 0x5C0DE_5EE9


# --- the run ------------------------------------------------------------------------


@dataclass
class SweepResult:
    as_of: dt.date
    tasks: int = 0
    buckets: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    escalations_issued: int = 0
    lookbacks_scheduled: int = 0
    # Details beyond the JSON contract (kept in the run log).
    missed_reports: int = 0
    buckets_changed: int = 0
    streaks_changed: int = 0
    notices_ended: int = 0
    escalations_lifted: int = 0
    lookbacks_due: int = 0
    notifications: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # time per step

    def to_json(self) -> dict[str, Any]:
        """The issue's contract: exactly these keys."""
        return {
            "as_of": self.as_of.isoformat(),
            "tasks": self.tasks,
            "buckets": self.buckets,
            "changed": self.changed,
            "escalations_issued": self.escalations_issued,
            "lookbacks_scheduled": self.lookbacks_scheduled,
        }

    def details(self) -> dict[str, Any]:
        return {
            **self.to_json(),
            "missed_reports": self.missed_reports,
            "buckets_changed": self.buckets_changed,
            "streaks_changed": self.streaks_changed,
            "notices_ended": self.notices_ended,
            "escalations_lifted": self.escalations_lifted,
            "lookbacks_due": self.lookbacks_due,
            "notifications": self.notifications,
            "warnings": self.warnings,
            "seconds": self.seconds,
        }


def run(as_of: dt.date | None = None) -> SweepResult:
    """Apply every closed-loop rule as of `as_of` (today by default); see the module."""
    day = as_of or clock.today()
    with clock.frozen_at(day) if as_of is not None else nullcontext(), transaction.atomic():
        _lock()
        settings = LoopSettings.current()
        load_entered_days()
        previous = (
            SweepRun.objects.filter(as_of__lte=day, finished_at__isnull=False)
            .order_by("-as_of")
            .values_list("as_of", flat=True)
            .first()
        )
        sweep = SweepRun.objects.create(as_of=day, started_at=clock.now())
        result = SweepResult(as_of=day)
        # Missing reports are recorded for the periods that came due since the previous
        # sweep, but never further back than the configured days (a ledger swept for
        # the first time, or after a long pause, is not flooded with old periods).
        earliest = day - dt.timedelta(settings.backfill_days)
        window_start = earliest if previous is None else max(previous, earliest)
        steps: list[tuple[str, Callable[[], None]]] = [
            ("missed_reports", lambda: _missed_reports(result, day, window_start, settings)),
            ("buckets", lambda: _buckets(result, day)),
            ("notices", lambda: _end_notices(result, day)),
            ("lookbacks", lambda: _lookbacks(result, day, settings)),
            ("escalations", lambda: _escalations(result, day, settings, sweep)),
            ("totals", lambda: _totals(result)),
        ]
        # On a large ledger (PostgreSQL), rows are staged before each write, so that the
        # selects run in parallel (`closeout.ledger.sql.staging`).
        with staging(connection.vendor == "postgresql" and Task.objects.count() >= STAGE_FROM):
            for name, step in steps:
                began = time.perf_counter()
                step()
                result.seconds[name] = round(time.perf_counter() - began, 3)
        result.changed = (
            result.missed_reports
            + result.streaks_changed
            + result.buckets_changed
            + result.notices_ended
            + result.lookbacks_scheduled
            + result.escalations_issued
            + result.escalations_lifted
        )
        sweep.finished_at = clock.now()
        sweep.figures = result.details()
        sweep.save(update_fields=["finished_at", "figures"])
    return result


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            # The sweep's statements look costly to the planner, which would then spend
            # longer compiling them (JIT) than running them on a city's ledger.
            cursor.execute("SET LOCAL jit = off")


def _plan_cycles() -> dict[cycles.Cycle, list[int]]:
    """Confirmed plans grouped by their reporting cycle."""
    groups: dict[cycles.Cycle, list[int]] = {}
    rows = Plan.objects.filter(tasks__status__in=REPORTING_STATES).distinct()
    for plan_id, kind, days, issued in rows.values_list(
        "id", "report_cycle", "report_cycle_days", "issued_on"
    ):
        groups.setdefault(cycles.Cycle.of_settings(kind, days, issued), []).append(plan_id)
    return groups


def _missed_reports(
    result: SweepResult, day: dt.date, window_start: dt.date, settings: LoopSettings
) -> None:
    """Record the periods that came due (grace included) in the window without a report,
    then refresh the run of missed reports on the tasks concerned."""
    grace = settings.report_grace_days
    watermark = MissedReport.objects.aggregate(m=Max("id"))["m"] or 0
    for cycle, plan_ids in _plan_cycles().items():
        # Periods whose last on-time day fell in [window_start - 1, day - 1].
        first = cycles.period_of(window_start - dt.timedelta(days=grace + 1), cycle)
        for period in cycles.periods_between(first.start, day, cycle):
            due_by = period.due_by(grace)
            if not (window_start - dt.timedelta(days=1) <= due_by < day):
                continue
            result.missed_reports += statement(
                ("missed_reports", tuple(plan_ids)), _missed_statement, plan_ids
            ).run(start=period.start, end=period.end, due=due_by, day=day)
    # The streak: missed periods after the latest period reported for.
    result.streaks_changed += streak_extend(watermark)
    # Tasks that no longer owe reports (closed, cancelled) have no streak.
    result.streaks_changed += (
        TaskState.objects.exclude(task__status__in=REPORTING_STATES)
        .filter(missed_reports__gt=0)
        .update(missed_reports=0, missed_since=None)
    )
    result.notifications += statement(
        "missed_reports_notices",
        lambda: _notify_units(
            MissedReport.objects.filter(id__gt=SINCE, unit__isnull=False),
            NotificationKind.MISSED_REPORTS,
        ),
    ).run(since=watermark, now=clock.now())


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


def streak_extend(since_id: int) -> int:
    """Extend the run of missed reports (`missed_reports`, `missed_since`) of the tasks
    that got missing-report records with ids above `since_id`.

    The sweep goes forward in time, so a new record is for a period later than any the
    task had: it lengthens the current run when it comes after the latest period the
    task reported for, and starts one when there was none. Only the new records are
    read. (`report_create` recomputes a task's run from all its records.)
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


def _buckets(result: SweepResult, day: dt.date) -> None:
    result.buckets_changed += statement(
        "buckets",
        lambda: update_from(
            TaskState,
            {"bucket": "_bucket"},
            Task.objects.annotate(_bucket=bucket_expression(DAY)).values("id", "_bucket"),
        ),
    ).run(day=day)


def _end_notices(result: SweepResult, day: dt.date) -> None:
    """Public notices whose last day has passed, every objection answered: end them."""
    from closeout.ledger.access import Actor
    from closeout.ledger.services.transitions import task_transition

    due = (
        Task.objects.filter(status=Status.NOTICE, notice_until__lt=day)
        .exclude(Exists(Objection.objects.filter(task_id=OuterRef("pk"), answered_at__isnull=True)))
        .order_by("id")
        .values_list("id", flat=True)
    )
    system = Actor.system("sweep")
    for task_id in due:
        # Someone may have moved the task (the office ended the notice, a supervisor
        # sent it back, an objection came in) between the listing and its row lock:
        # then there is nothing for the sweep to do, and the rest of the run goes on.
        try:
            task_transition(actor=system, task_id=task_id, name="end_notice")
        except (InvalidTransition, Conflict):
            continue
        result.notices_ended += 1


def _lookbacks(result: SweepResult, day: dt.date, settings: LoopSettings) -> None:
    """Schedule the configured look-backs of every closing; notify when one falls due."""
    watermark = LookbackCheck.objects.aggregate(m=Max("id"))["m"] or 0
    for months in sorted(set(settings.lookback_months)):
        result.lookbacks_scheduled += statement(
            ("lookbacks", months), _lookback_statement, months
        ).run(day=day)
    # Checks falling due: tell the supervising units, once (`notified_on`). A check that
    # falls due after it was scheduled gets an inbox item of its own. A check already due
    # when it is scheduled (a closing from before the ledger was first swept) is marked
    # as it is written, which spares rewriting every such row at once, and such checks
    # are counted in one item per user, instead of one item per old closing.
    earlier = Q(state=LookbackState.SCHEDULED, due_on__lte=DAY, notified_on__isnull=True)
    supervising = [AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING]
    result.notifications += statement(
        "lookbacks_due_notices",
        lambda: _notify_per_task(
            TaskUnit.objects.filter(
                task_id__in=LookbackCheck.objects.filter(earlier).values("task_id"),
                role__in=supervising,
            ),
            NotificationKind.LOOKBACK_DUE,
        ),
    ).run(day=day, now=clock.now())
    result.notifications += statement(
        "lookbacks_backlog_notices",
        lambda: _notify_units(
            TaskUnit.objects.filter(
                task_id__in=LookbackCheck.objects.filter(id__gt=SINCE, notified_on=DAY).values(
                    "task_id"
                ),
                role__in=supervising,
            ),
            NotificationKind.LOOKBACK_DUE,
            roles=None,
            count=Count("task_id", distinct=True),
        ),
    ).run(day=day, since=watermark, now=clock.now())
    result.lookbacks_due = LookbackCheck.objects.filter(id__gt=watermark, notified_on=day).count()
    result.lookbacks_due += statement(
        "lookbacks_due",
        lambda: update_from(
            LookbackCheck,
            {"notified_on": "_on"},
            LookbackCheck.objects.filter(earlier).annotate(_on=DAY).values("id", "_on"),
            changed_only=False,
        ),
    ).run(day=day)


def _lookback_statement(months: int) -> Statement:
    """Look-back checks `months` after each closing (slot day) not yet scheduled."""
    closed = Task.objects.filter(
        status__in=[Status.CLOSED, Status.SUSTAINED], closed_on__isnull=False, closed_on__lte=DAY
    )
    rows = closed.exclude(
        Exists(
            LookbackCheck.objects.filter(
                task_id=OuterRef("pk"), closed_on=OuterRef("closed_on"), months=months
            )
        )
    ).annotate(
        _task=F("pk"),
        _closed=F("closed_on"),
        _months=Value(months, output_field=IntegerField()),
        _due=AddMonths(F("closed_on"), months),
        _state=Value(LookbackState.SCHEDULED.value),
        _unit=lead_unit(),
        _on=DAY,
        _notified=Case(
            When(LessThanOrEqual(AddMonths(F("closed_on"), months), DAY), then=DAY),
            default=None,
            output_field=DateField(),
        ),
        _empty=Value(""),
    )
    return insert_select(
        LookbackCheck,
        {
            "task_id": "_task",
            "closed_on": "_closed",
            "months": "_months",
            "due_on": "_due",
            "state": "_state",
            "unit_id": "_unit",
            "scheduled_on": "_on",
            "notified_on": "_notified",
            "findings": "_empty",
        },
        rows.values(
            "_task", "_closed", "_months", "_due", "_state", "_unit", "_on", "_notified", "_empty"
        ),
    )


def _escalations(
    result: SweepResult, day: dt.date, settings: LoopSettings, sweep: SweepRun
) -> None:
    result.escalations_lifted += statement("lift", _lift_statement).run(day=day)
    watermark = Escalation.objects.aggregate(m=Max("id"))["m"] or 0
    # The rules of one trigger make one statement (one pass over the tasks), strongest
    # level first.
    groups: dict[str, list[EscalationRule]] = {}
    rules = EscalationRule.objects.filter(active=True).exclude(trigger=Trigger.MANUAL)
    for rule in sorted(rules, key=lambda r: -RANK[Level(r.level)]):
        groups.setdefault(rule.trigger, []).append(rule)
    due: dict[int, dt.date] = {}
    for trigger, group in groups.items():
        for rule in group:
            if rule.response_days not in due:
                due[rule.response_days] = response_due(day, rule.response_days, result)
        shape = tuple((r.level, r.threshold) for r in group)
        result.escalations_issued += statement(
            ("escalate", trigger, shape), _escalate_statement, trigger, group
        ).run(
            day=day,
            sweep=sweep.pk,
            by=settings.issuing_body,
            **{f"due{i}": due[rule.response_days] for i, rule in enumerate(group)},
        )
    result.notifications += statement("escalation_notices", _escalation_notifications).run(
        since=watermark, now=clock.now()
    )


# The causes the sweep issues measures for (manual ones are lifted by hand only).
AUTOMATIC = (Trigger.DUE_SOON, Trigger.MISSED_REPORTS, Trigger.OVERDUE, Trigger.REBOUND)


def _lift_statement() -> Statement:
    """Lift (slot day) the automatic measures whose cause the task no longer has. A cause
    key starts with its trigger, so a measure's cause holds when it equals the task's
    current cause of any kind."""
    causes = {f"_{t}": cause_expression(t, DAY) for t in AUTOMATIC}
    holding = (
        Task.objects.filter(pk=OuterRef("task_id"))
        .annotate(**causes)
        .filter(reduce(operator.or_, (Q(**{name: OuterRef("cause")}) for name in causes)))
    )
    gone = (
        Escalation.objects.filter(lifted_on__isnull=True, manual=False, trigger__in=AUTOMATIC)
        .exclude(Exists(holding))
        .annotate(_on=DAY, _why=Value("cause_gone"))
        .values("id", "_on", "_why")
    )
    return update_from(
        Escalation, {"lifted_on": "_on", "lift_reason": "_why"}, gone, changed_only=False
    )


def _escalate_statement(trigger: str, rules: list[EscalationRule]) -> Statement:
    """For every task whose cause of this kind (slot day) meets one of the rules (given
    strongest first), the measure of the strongest rule it meets, unless the task has a
    measure as strong for that cause already. Slots due0, due1, … (each rule's response
    deadline), sweep and by (the issuing body).

    This is the pure `escalation.to_issue`: weaker steps of the ladder are not issued
    after a stronger one for the same cause."""

    def per_rule(value: Callable[[int, EscalationRule], Any], field: Any) -> Case:
        return Case(
            *(When(rule_condition(r, DAY), then=value(i, r)) for i, r in enumerate(rules)),
            default=None,
            output_field=field,
        )

    level = per_rule(lambda i, r: Value(r.level), CharField())
    rank = per_rule(lambda i, r: Value(RANK[Level(r.level)]), IntegerField())
    stronger = Escalation.objects.filter(
        task_id=OuterRef("pk"), cause=OuterRef("_cause"), rank__gte=OuterRef("_rank")
    )
    rows = (
        Task.objects.filter(status__in=COUNTED_STATES)
        .annotate(_cause=cause_expression(trigger, DAY))
        .filter(_cause__isnull=False)
        .filter(reduce(operator.or_, (rule_condition(r, DAY) for r in rules)))
        .annotate(_rank=rank)
        .exclude(Exists(stronger))
        .annotate(
            _task=F("pk"),
            _unit=lead_unit(),
            _level=level,
            _trigger=Value(trigger),
            _size=rule_size(trigger, DAY),
            _manual=Value(False),
            _by=Slot("by", CharField()),
            _on=DAY,
            _due=per_rule(lambda i, r: Slot(f"due{i}", DateField()), DateField()),
            _sweep=Slot("sweep", IntegerField()),
            _empty=Value(""),
        )
    )
    return insert_select(
        Escalation,
        {
            "task_id": "_task",
            "unit_id": "_unit",
            "level": "_level",
            "rank": "_rank",
            "trigger": "_trigger",
            "cause": "_cause",
            "size": "_size",
            "manual": "_manual",
            "issued_by": "_by",
            "issued_on": "_on",
            "response_due": "_due",
            "sweep_id": "_sweep",
            "reason": "_empty",
            "response": "_empty",
            "lift_reason": "_empty",
        },
        rows.values(
            "_task",
            "_unit",
            "_level",
            "_rank",
            "_trigger",
            "_cause",
            "_size",
            "_manual",
            "_by",
            "_on",
            "_due",
            "_sweep",
            "_empty",
        ),
    )


def _escalation_notifications() -> Statement:
    """One inbox item (slot now) per escalation above the slot since, for each user of
    the unit it addresses."""
    rows = (
        Escalation.objects.filter(id__gt=SINCE, unit__profiles__role=Role.UNIT)
        .annotate(
            _user=F("unit__profiles__user_id"),
            _kind=Value(NotificationKind.ESCALATION.value),
            _task=F("task_id"),
            _esc=F("pk"),
            _count=Value(1, output_field=IntegerField()),
            _note=Value(""),
            _at=NOW,
        )
        .values("_user", "_kind", "_task", "_esc", "_count", "_note", "_at")
    )
    return insert_select(
        Notification,
        {
            "user_id": "_user",
            "kind": "_kind",
            "task_id": "_task",
            "escalation_id": "_esc",
            "count": "_count",
            "note": "_note",
            "created_at": "_at",
        },
        rows,
    )


def response_due(day: dt.date, working_days: int, result: SweepResult) -> dt.date:
    """The response deadline of a measure issued on `day`, in working days. Where the
    holiday calendar does not cover the dates yet, Monday to Friday are counted and
    the run says so (a warning in its log), rather than stopping the sweep."""
    try:
        return calendar.add_working_days(day, working_days)
    except calendar.CalendarNotCovered:
        message = (
            f"holiday calendar does not cover {day.year}: response deadlines counted "
            "Monday to Friday"
        )
        if message not in result.warnings:
            result.warnings.append(message)
            log.warning(message)
        out, left = day, working_days
        while left:
            out += dt.timedelta(days=1)
            left -= out.weekday() < 5
        return out


def _notify_units(
    records: QuerySet[Any],
    kind: str,
    *,
    roles: tuple[str, ...] | None = (Role.UNIT,),
    count: Any = None,
) -> Statement:
    """One inbox item (slot now) per user of the records' units (of these roles, or any),
    carrying how many of `records` concern their unit (or the given `count`)."""
    if roles is None:
        records = records.filter(unit__profiles__isnull=False)
    else:
        records = records.filter(unit__profiles__role__in=roles)
    rows = (
        records.order_by()
        .values("unit__profiles__user_id")
        .annotate(
            _count=count if count is not None else Count("id"),
        )
        .annotate(
            _user=F("unit__profiles__user_id"),
            _kind=Value(kind),
            _note=Value(""),
            _at=NOW,
        )
        .values("_user", "_kind", "_count", "_note", "_at")
    )
    return insert_select(
        Notification,
        {
            "user_id": "_user",
            "kind": "_kind",
            "count": "_count",
            "note": "_note",
            "created_at": "_at",
        },
        rows,
    )


def _notify_per_task(assignments: QuerySet[TaskUnit], kind: str) -> Statement:
    """One inbox item (slot now) per task for each user of the assigned units."""
    rows = (
        assignments.filter(unit__profiles__isnull=False)
        .annotate(
            _user=F("unit__profiles__user_id"),
            _kind=Value(kind),
            _task=F("task_id"),
            _count=Value(1, output_field=IntegerField()),
            _note=Value(""),
            _at=NOW,
        )
        .values("_user", "_kind", "_task", "_count", "_note", "_at")
        .distinct()
    )
    return insert_select(
        Notification,
        {
            "user_id": "_user",
            "kind": "_kind",
            "task_id": "_task",
            "count": "_count",
            "note": "_note",
            "created_at": "_at",
        },
        rows,
    )


def _totals(result: SweepResult) -> None:
    counts = dict.fromkeys(Bucket.values, 0)
    rows = (
        Task.objects.filter(status__in=COUNTED_STATES)
        .order_by()
        .values("state__bucket")
        .annotate(n=Count("id"))
    )
    for row in rows:
        bucket = row["state__bucket"]
        counts[bucket] = counts.get(bucket, 0) + row["n"]
    result.buckets = counts
    result.tasks = sum(counts.values())
