"""The sweep's rules on look-back checks (回头看): scheduled after each closing, and
announced to the supervising units when they fall due."""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.lookups import LessThanOrEqual

from closeout.ledger import clock
from closeout.ledger.models import (
    AssignmentRole,
    LookbackCheck,
    LookbackState,
    NotificationKind,
    Task,
    TaskUnit,
)
from closeout.ledger.rules.workflow import Status
from closeout.ledger.sweep.base import DAY, SINCE, Context
from closeout.ledger.sweep.notifications import notify_per_task, notify_units
from closeout.ledger.sweep.sql import AddMonths, Statement, insert_select, statement, update_from
from closeout.ledger.sweep.sqlrules import lead_unit

Figures = dict[str, int]

SUPERVISING = [AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING]
# Checks scheduled earlier that have fallen due and were not announced yet.
EARLIER = Q(state=LookbackState.SCHEDULED, due_on__lte=DAY, notified_on__isnull=True)


def lookbacks(ctx: Context) -> Figures:
    scheduled = 0
    for months in sorted(set(ctx.settings.lookback_months)):
        scheduled += lookback_statement(months).run(day=ctx.day)
    return {"lookbacks_scheduled": scheduled}


def lookback_statement(months: int) -> Statement:
    return statement(("lookbacks", months), _lookback_statement, months)


def _lookback_statement(months: int) -> Statement:
    """Look-back checks `months` after each closing (slot day) not yet scheduled. A check
    already due when it is scheduled (a closing from before the ledger was first swept)
    is marked as announced as it is written, which spares rewriting every such row."""
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


def lookbacks_due(ctx: Context) -> Figures:
    """Checks falling due: the supervising units' users are told once (`notified_on`).
    A check that falls due after it was scheduled gets an inbox item of its own; the
    checks already due when they were scheduled are counted in one item per user."""
    day, since, now = ctx.day, ctx.since(LookbackCheck), clock.now()
    notified = lookbacks_due_notices_statement().run(day=day, now=now)
    notified += lookbacks_backlog_notices_statement().run(day=day, since=since, now=now)
    due = LookbackCheck.objects.filter(id__gt=since, notified_on=day).count()
    due += lookbacks_marked_statement().run(day=day)
    return {"notifications": notified, "lookbacks_due": due}


def lookbacks_due_notices_statement() -> Statement:
    return statement(
        "lookbacks_due_notices",
        lambda: notify_per_task(
            TaskUnit.objects.filter(
                task_id__in=LookbackCheck.objects.filter(EARLIER).values("task_id"),
                role__in=SUPERVISING,
            ),
            NotificationKind.LOOKBACK_DUE,
        ),
    )


def lookbacks_backlog_notices_statement() -> Statement:
    return statement(
        "lookbacks_backlog_notices",
        lambda: notify_units(
            TaskUnit.objects.filter(
                task_id__in=LookbackCheck.objects.filter(id__gt=SINCE, notified_on=DAY).values(
                    "task_id"
                ),
                role__in=SUPERVISING,
            ),
            NotificationKind.LOOKBACK_DUE,
            roles=None,
            count=Count("task_id", distinct=True),
        ),
    )


def lookbacks_marked_statement() -> Statement:
    return statement(
        "lookbacks_due",
        lambda: update_from(
            LookbackCheck,
            {"notified_on": "_on"},
            LookbackCheck.objects.filter(EARLIER).annotate(_on=DAY).values("id", "_on"),
            changed_only=False,
        ),
    )
