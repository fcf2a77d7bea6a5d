"""The inbox items (notifications) the sweep writes for what it recorded: statements
that insert one item per user of the units concerned."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, IntegerField, QuerySet, Value

from closeout.ledger import clock
from closeout.ledger.models import (
    Escalation,
    MissedReport,
    Notification,
    NotificationKind,
    Role,
    TaskUnit,
)
from closeout.ledger.sweep.base import NOW, SINCE, Context
from closeout.ledger.sweep.sql import Statement, insert_select, statement

Figures = dict[str, int]


def missed_report_notices(ctx: Context) -> Figures:
    return {
        "notifications": missed_report_notices_statement().run(
            since=ctx.since(MissedReport), now=clock.now()
        )
    }


def missed_report_notices_statement() -> Statement:
    return statement(
        "missed_reports_notices",
        lambda: notify_units(
            MissedReport.objects.filter(id__gt=SINCE, unit__isnull=False),
            NotificationKind.MISSED_REPORTS,
        ),
    )


def escalation_notices(ctx: Context) -> Figures:
    return {
        "notifications": escalation_notices_statement().run(
            since=ctx.since(Escalation), now=clock.now()
        )
    }


def escalation_notices_statement() -> Statement:
    return statement("escalation_notices", _escalation_notices)


def _escalation_notices() -> Statement:
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


def notify_units(
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


def notify_per_task(assignments: QuerySet[TaskUnit], kind: str) -> Statement:
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
