"""The closed loop's rules in SQL: the schedule bucket (序时进度) and the escalation
causes and thresholds (督办) as expressions over the task table, for the sweep and for
any page that needs them "as of" a date.

They must give the answers of the pure rules in `closeout.ledger.rules.schedule` and
`closeout.ledger.rules.escalation`; `tests/test_sqlrules.py` holds them to it on the same tasks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.db.models.lookups import GreaterThanOrEqual, IsNull, LessThan, LessThanOrEqual

from closeout.ledger.models import AssignmentRole, EscalationRule, Milestone, Task, TaskUnit
from closeout.ledger.rules.escalation import Trigger
from closeout.ledger.rules.schedule import COUNTED_STATES, Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.sweep.sql import DateText, DaysBetween, Slot, date_value


def effective_due() -> Any:
    """The date a task can be late against (`schedule.effective_due`): its due date; a
    task without one (立行立改, 长期坚持 or none) is never overdue nor due soon."""
    return F("due_date")


def lead_unit() -> Subquery:
    """The task's (first) lead responsible unit."""
    return Subquery(
        TaskUnit.objects.filter(task_id=OuterRef("pk"), role=AssignmentRole.LEAD)
        .order_by("id")
        .values("unit_id")[:1]
    )


def _milestone_max(**filters: Any) -> Any:
    return Coalesce(
        Subquery(
            Milestone.objects.filter(task_id=OuterRef("pk"), **filters)
            .order_by()
            .values("task_id")
            .annotate(top=Max("expected_progress"))
            .values("top")[:1],
            output_field=IntegerField(),
        ),
        0,
        output_field=IntegerField(),
    )


def bucket_expression(as_of: dt.date | Slot) -> Case:
    """`closeout.ledger.rules.schedule.schedule_status(...).bucket` as one SQL expression over
    the task table ('' for draft and cancelled tasks, which are in no bucket)."""
    day = date_value(as_of)
    due = effective_due()
    start = F("start_date")
    has_milestones = Exists(Milestone.objects.filter(task_id=OuterRef("pk")))
    milestone_expected = _milestone_max(due_date__lte=as_of)
    counted = Greatest(
        F("progress"), _milestone_max(reached_on__lte=as_of), output_field=IntegerField()
    )
    total = DaysBetween(due, start)
    elapsed = DaysBetween(day, start)
    time_expected = Case(
        When(IsNull(start, True) | IsNull(due, True), then=None),
        When(LessThan(day, start), then=Value(0)),
        When(LessThanOrEqual(total, 0) | GreaterThanOrEqual(elapsed, total), then=Value(100)),
        default=Value(100) * elapsed / total,
        output_field=IntegerField(),
    )
    return Case(
        When(status=Status.CLOSED, then=Value(Bucket.DONE.value)),
        When(status=Status.SUSTAINED, then=Value(Bucket.SUSTAINED.value)),
        When(~Q(status__in=COUNTED_STATES), then=Value("")),
        When(LessThan(due, day), then=Value(Bucket.OVERDUE.value)),
        When(
            has_milestones & GreaterThanOrEqual(counted, milestone_expected),
            then=Value(Bucket.ON_SCHEDULE.value),
        ),
        When(has_milestones, then=Value(Bucket.BEHIND.value)),
        When(
            IsNull(time_expected, True) & Q(state__missed_reports=0),
            then=Value(Bucket.ON_SCHEDULE.value),
        ),
        When(IsNull(time_expected, True), then=Value(Bucket.BEHIND.value)),
        When(GreaterThanOrEqual(counted, time_expected), then=Value(Bucket.ON_SCHEDULE.value)),
        default=Value(Bucket.BEHIND.value),
    )


def buckets_of(tasks: QuerySet[Task], as_of: dt.date | Slot) -> QuerySet[Task]:
    """Tasks annotated with `schedule_bucket` as of any date (for pages and reports)."""
    return tasks.annotate(schedule_bucket=bucket_expression(as_of))


def cause_expression(trigger: str, as_of: dt.date | Slot) -> Any:
    """The cause key (`closeout.ledger.rules.escalation.Cause`) of this kind that each task has
    as of the date, NULL when it has none; reads the stored bucket and streak
    (`TaskState`)."""
    due_text = DateText(effective_due())
    cond: Any
    if trigger == Trigger.DUE_SOON:
        cond = Q(state__bucket=Bucket.BEHIND) & ~IsNull(effective_due(), True)
        key: Any = Concat(Value("due_soon:"), due_text, output_field=CharField())
    elif trigger == Trigger.MISSED_REPORTS:
        cond = Q(state__missed_reports__gt=0, state__missed_since__isnull=False)
        key = Concat(
            Value("missed_reports:"), DateText(F("state__missed_since")), output_field=CharField()
        )
    elif trigger == Trigger.OVERDUE:
        cond = Q(state__bucket=Bucket.OVERDUE) & ~IsNull(effective_due(), True)
        key = Concat(Value("overdue:"), due_text, output_field=CharField())
    elif trigger == Trigger.REBOUND:
        cond = Q(rebounds__gt=0) & ~Q(state__bucket__in=[Bucket.DONE, Bucket.SUSTAINED])
        key = Concat(Value("rebound:"), Cast(F("rebounds"), CharField()), output_field=CharField())
    else:
        raise ValueError(f"no automatic cause for {trigger!r}")
    return Case(When(cond, then=key), default=None)


def rule_condition(rule: EscalationRule, as_of: dt.date | Slot) -> Q:
    """Tasks whose cause of the rule's kind is big enough for the rule (the pure
    `escalation._size`), as a filter."""
    day = date_value(as_of)
    # The bucket conditions repeat what the cause requires, as plain column filters the
    # planner can use.
    if rule.trigger == Trigger.DUE_SOON:
        left = DaysBetween(effective_due(), day)
        return (
            Q(state__bucket=Bucket.BEHIND)
            & Q(GreaterThanOrEqual(left, 0))
            & Q(LessThanOrEqual(left, rule.threshold))
        )
    if rule.trigger == Trigger.MISSED_REPORTS:
        return Q(state__missed_reports__gte=rule.threshold)
    if rule.trigger == Trigger.OVERDUE:
        return Q(state__bucket=Bucket.OVERDUE) & Q(
            GreaterThanOrEqual(DaysBetween(day, effective_due()), max(rule.threshold, 1))
        )
    if rule.trigger == Trigger.REBOUND:
        return Q(rebounds__gte=rule.threshold)
    raise ValueError(f"not an automatic rule: {rule}")


def rule_size(trigger: str, as_of: dt.date | Slot) -> Any:
    """How big the cause is when issued: days overdue or left, reports missed, rebounds."""
    day = date_value(as_of)
    if trigger == Trigger.DUE_SOON:
        return DaysBetween(effective_due(), day)
    if trigger == Trigger.OVERDUE:
        return DaysBetween(day, effective_due())
    if trigger == Trigger.MISSED_REPORTS:
        return F("state__missed_reports")
    return F("rebounds")
