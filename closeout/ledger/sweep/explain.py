"""Each rule's statements as compiled for this database, without running them (for
`closeout sweep --explain`). Where a statement depends on the ledger's data (the plans
of one reporting cycle, the office's rules of one trigger) the first such statement is
shown; with no data, an example stands in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery

from closeout.ledger.models import EscalationRule, LoopSettings
from closeout.ledger.sweep import buckets as b
from closeout.ledger.sweep import escalations as e
from closeout.ledger.sweep import lookbacks as lb
from closeout.ledger.sweep import notifications as n
from closeout.ledger.sweep import reports as r
from closeout.ledger.sweep import snapshots as sn
from closeout.ledger.sweep.base import DAY
from closeout.ledger.sweep.sql import Statement, _Mark, compiled


@dataclass(frozen=True)
class Compiled:
    """One statement: what it is for, its SQL with %s where parameters go, and the
    parameters (a slot's place marked by its name)."""

    label: str
    sql: str
    params: tuple[Any, ...]

    def text(self) -> str:
        """The SQL with each parameter written in: a slot as :name, a value as a literal."""
        return self.sql % tuple(_literal(p) for p in self.params)


def _literal(value: Any) -> str:
    if isinstance(value, _Mark):
        return f":{value.name}"
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _of(label: str, stmt: Statement) -> Compiled:
    return Compiled(label, stmt.sql, stmt.params)


def _query(label: str, queryset: QuerySet[Any]) -> Compiled:
    sql, params = compiled(queryset)
    return Compiled(label, sql, params)


def _update(label: str, queryset: QuerySet[Any], **values: Any) -> Compiled:
    query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
    query.add_update_values(values)
    compiler = query.get_compiler(connection.alias)
    compiler.pre_sql_setup()
    sql, params = compiler.as_sql()
    return Compiled(label, sql, tuple(params))


def notices() -> list[Compiled]:
    return [
        _query(
            "the tasks whose notice ends (then the end_notice transition for each)",
            b.notices_due(DAY),
        )
    ]


def missed_reports() -> list[Compiled]:
    groups = list(r.plan_cycles().values())
    plans = groups[0] if groups else [0]
    return [
        _of(
            "missing reports for one period (slots start, end, due), for the plans of one "
            f"reporting cycle (here plans {', '.join(map(str, plans))})",
            r.missed_statement(plans),
        )
    ]


def report_streaks() -> list[Compiled]:
    return [
        _of("runs lengthened by the records above :since", r._streak_statement()),
        _update("runs of tasks that owe no reports", r.streaks_cleared(), missed_reports=0,
                missed_since=None),
    ]  # fmt: skip


def buckets() -> list[Compiled]:
    return [_of("the bucket of every task", b.buckets_statement())]


def lookbacks() -> list[Compiled]:
    months = sorted(set(LoopSettings.current().lookback_months)) or [3]
    return [_of(f"look-backs {m} months after each closing", lb.lookback_statement(m))
            for m in months]  # fmt: skip


def lookbacks_due() -> list[Compiled]:
    return [
        _of("an item per task for checks falling due", lb.lookbacks_due_notices_statement()),
        _of("a counted item per user for checks due when scheduled",
            lb.lookbacks_backlog_notices_statement()),
        _of("checks falling due marked announced", lb.lookbacks_marked_statement()),
    ]  # fmt: skip


def escalate() -> list[Compiled]:
    groups = e.rule_groups()
    if not groups:  # no active rule: an example of the shape
        groups = {"overdue": [EscalationRule(level="circular", trigger="overdue", threshold=0)]}
    return [
        _of(
            f"measures for {trigger} causes (rules: "
            + ", ".join(f"{rule.level} at {rule.threshold}" for rule in group)
            + ")",
            e.escalate_statement(trigger, group),
        )
        for trigger, group in groups.items()
    ]


def lift() -> list[Compiled]:
    return [_of("measures whose cause is gone", e.lift_statement())]


def missed_report_notices() -> list[Compiled]:
    return [_of("an item per user counting new records", n.missed_report_notices_statement())]


def escalation_notices() -> list[Compiled]:
    return [_of("an item per user for each new measure", n.escalation_notices_statement())]


def snapshot() -> list[Compiled]:
    return [
        _query("the period's counts by plan, bucket, category and due date (summed to "
               "categories and due months)", sn.by_category_and_due()),
        _query("… by plan, bucket and lead unit (then the rows replaced if they differ)",
               sn.by_unit()),
    ]  # fmt: skip
