"""The sweep's rules on escalation measures (督办): issued as the office's rules call
for, and lifted when their cause is gone."""

from __future__ import annotations

import datetime as dt
import logging
import operator
from collections.abc import Callable
from functools import reduce
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)

from closeout.ledger.models import Escalation, EscalationRule, Task
from closeout.ledger.rules import calendar
from closeout.ledger.rules.escalation import RANK, Level, Trigger
from closeout.ledger.rules.schedule import COUNTED_STATES
from closeout.ledger.sweep.base import DAY, Context, SweepResult
from closeout.ledger.sweep.sql import Slot, Statement, insert_select, statement, update_from
from closeout.ledger.sweep.sqlrules import cause_expression, lead_unit, rule_condition, rule_size

log = logging.getLogger("closeout.ledger.sweep")

Figures = dict[str, int]

# The causes the sweep issues measures for (manual ones are lifted by hand only).
AUTOMATIC = (Trigger.DUE_SOON, Trigger.MISSED_REPORTS, Trigger.OVERDUE, Trigger.REBOUND)


def lift(ctx: Context) -> Figures:
    return {"escalations_lifted": lift_statement().run(day=ctx.day)}


def lift_statement() -> Statement:
    return statement("lift", _lift_statement)


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


def rule_groups() -> dict[str, list[EscalationRule]]:
    """The office's active automatic rules by trigger, each group strongest first: the
    rules of one trigger make one statement (one pass over the tasks)."""
    groups: dict[str, list[EscalationRule]] = {}
    rules = EscalationRule.objects.filter(active=True).exclude(trigger=Trigger.MANUAL)
    for rule in sorted(rules, key=lambda r: -RANK[Level(r.level)]):
        groups.setdefault(rule.trigger, []).append(rule)
    return groups


def escalate(ctx: Context) -> Figures:
    issued = 0
    due: dict[int, dt.date] = {}
    for trigger, group in rule_groups().items():
        for rule in group:
            if rule.response_days not in due:
                due[rule.response_days] = response_due(ctx.day, rule.response_days, ctx.result)
        issued += escalate_statement(trigger, group).run(
            day=ctx.day,
            sweep=ctx.run.pk,
            by=ctx.settings.issuing_body,
            **{f"due{i}": due[rule.response_days] for i, rule in enumerate(group)},
        )
    return {"escalations_issued": issued}


def escalate_statement(trigger: str, group: list[EscalationRule]) -> Statement:
    shape = tuple((r.level, r.threshold) for r in group)
    return statement(("escalate", trigger, shape), _escalate_statement, trigger, group)


def _escalate_statement(trigger: str, rules: list[EscalationRule]) -> Statement:
    """For every task whose cause of this kind (slot day) meets one of the rules (given
    strongest first), the measure of the strongest rule it meets, unless a measure as
    strong or stronger was ever issued for that cause (lifted ones included). Slots
    due0, due1, … (each rule's response deadline), sweep and by (the issuing body).

    This is the pure `escalation.to_issue`."""

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
