"""The sweep's rules, one by one: their order follows what they read and write, each
writes what its pure twin says on random ledgers and only what it declares, and a
second run of each writes nothing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from closeout.ledger import clock
from closeout.ledger.models import (
    AuditEvent,
    CloseoutStep,
    Escalation,
    LookbackCheck,
    MissedReport,
    Notification,
    Plan,
    ProgressReport,
    Snapshot,
    SnapshotRow,
    Task,
    TaskState,
    TaskUnit,
)
from closeout.ledger.rules import cycles, escalation, schedule
from closeout.ledger.rules.escalation import Cause, Level, Measure
from closeout.ledger.rules.workflow import REPORTING_STATES
from closeout.ledger.services.taskstate import bucket_refresh, streak_refresh
from closeout.ledger.sweep import RULES, loop
from closeout.ledger.sweep.escalations import AUTOMATIC
from closeout.ledger.sweep.rules import DECLARED, RuleCycle, SweepRule, ordered
from closeout.ledger.tests import sweepledger, twins

pytestmark = pytest.mark.django_db

SEEDS = [3, 17]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
WAYS = ["whole", "staged"] if ON_POSTGRES else ["whole"]


@pytest.fixture(scope="module", params=SEEDS)
def ledger(request, django_db_setup, django_db_blocker):
    """One random ledger per seed for the whole module, rolled back at its end (each
    test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield sweepledger.build(request.param)
        transaction.set_rollback(True)


@pytest.fixture(params=WAYS)
def way(request, monkeypatch):
    # On PostgreSQL each write's rows may be staged first, as on a large ledger.
    if request.param == "staged":
        monkeypatch.setattr(loop, "STAGE_FROM", 0)
    return request.param


# --- the order ----------------------------------------------------------------------

ORDER = [
    "notices",  # moves tasks (a notice ends): everything after reads their status
    "missed_reports",
    "report_streaks",  # from the records just written
    "buckets",  # reads the streak (a task that stopped reporting)
    "lookbacks",
    "lookbacks_due",
    "escalate",  # reads buckets and streaks
    "lift",  # reads every measure, the new ones too
    "missed_report_notices",
    "escalation_notices",
    "snapshot",  # counts what every rule before it left
]


def test_the_rules_run_in_the_order_their_reads_and_writes_call_for():
    assert [rule.name for rule in RULES] == ORDER
    # Declared in any order, each rule still comes after every rule it reads from.
    for declared in (DECLARED[::-1], DECLARED[3:] + DECLARED[:3]):
        got = ordered(declared)
        for i, rule in enumerate(got):
            assert not any(rule.after(later) for later in got[i + 1 :]), rule.name


def _rule(name: str, reads: str, writes: str) -> SweepRule:
    return SweepRule(
        name, name, frozenset(reads.split()), frozenset(writes.split()),
        apply=lambda ctx: {}, statements=list,
    )  # fmt: skip


def test_rules_that_read_what_each_other_write_are_refused():
    a = _rule("a", "taskstate.bucket", "escalation")
    b = _rule("b", "escalation.cause", "taskstate")
    with pytest.raises(RuleCycle, match=r"a \(after b\), b \(after a\)"):
        ordered([a, b])
    # A table's rows overlap its columns; other columns do not.
    c = _rule("c", "escalation.rank", "taskstate.missed_reports")
    assert [r.name for r in ordered([c, a])] == ["a", "c"]
    assert [r.name for r in ordered([c, _rule("d", "taskstate.bucket", "x")])] == ["c", "d"]
    with pytest.raises(ValueError, match="same name"):
        ordered([a, a])


def test_every_name_a_rule_reads_or_writes_is_a_table_or_a_column():
    tables = {m._meta.model_name: m for m in Task._meta.apps.get_app_config("ledger").get_models()}
    for rule in RULES:
        for name in rule.reads | rule.writes:
            table, _, column = name.partition(".")
            assert table in tables, (rule.name, name)
            if column:
                tables[table]._meta.get_field(column)  # raises when there is none


# --- SQL = Python on random ledgers --------------------------------------------------


@dataclass(frozen=True)
class Twin:
    """How a rule's twin is compared: what the pure function says the rule will write
    (read before it runs), and what it wrote (read after)."""

    expect: Callable[[Any], Any]
    observe: Callable[[Any, Any], Any]


def _expect_missing(ctx) -> set[tuple]:
    grace = ctx.settings.report_grace_days
    plans = {
        pk: cycles.Cycle.of_settings(kind, days, issued)
        for pk, kind, days, issued in Plan.objects.values_list(
            "id", "report_cycle", "report_cycle_days", "issued_on"
        )
    }
    reports: dict[int, list[cycles.ReportFacts]] = {}
    for task, at, start in ProgressReport.objects.values_list(
        "task_id", "submitted_at", "period_start"
    ):
        reports.setdefault(task, []).append(cycles.ReportFacts(at, start))
    recorded = set(MissedReport.objects.values_list("task_id", "period_start"))
    expected = set()
    owing = Task.objects.filter(status__in=REPORTING_STATES, start_date__isnull=False)
    for pk, plan, start in owing.values_list("id", "plan_id", "start_date"):
        for p in cycles.missing_periods(
            reports.get(pk, []), since=start, as_of=ctx.day, cycle=plans[plan], grace=grace
        ):
            due = p.due_by(grace)
            came_due = ctx.window_start - dt.timedelta(days=1) <= due < ctx.day
            if came_due and (pk, p.start) not in recorded:
                expected.add((pk, p.start, p.end, due))
    return expected


def _observe_missing(ctx, _before) -> set[tuple]:
    new = MissedReport.objects.filter(id__gt=ctx.since(MissedReport))
    return set(new.values_list("task_id", "period_start", "period_end", "due_by"))


def _expect_streaks(ctx) -> dict[int, tuple]:
    unfilled: dict[int, list[dt.date]] = {}
    for task, start in MissedReport.objects.filter(report=None).values_list(
        "task_id", "period_start"
    ):
        unfilled.setdefault(task, []).append(start)
    out = {}
    for pk, status, last in Task.objects.values_list("id", "status", "last_report_period"):
        run = cycles.missed_run(
            unfilled.get(pk, []), last_reported=last, owes=status in REPORTING_STATES
        )
        out[pk] = (run.count, run.since)
    return out


def _observe_streaks(ctx, _before) -> dict[int, tuple]:
    stored = TaskState.objects.values_list("task_id", "missed_reports", "missed_since")
    streaks = {pk: (n, since) for pk, n, since in stored}
    # The one-task path (after a report or a change of status) keeps the same answers.
    for task in Task.objects.only("status", "last_report_period"):
        streak_refresh(task)
    assert dict(((pk, (n, s)) for pk, n, s in stored.all())) == streaks
    return streaks


def _expect_buckets(ctx) -> dict[int, str]:
    return twins.pure_buckets(ctx.day)


def _observe_buckets(ctx, _before) -> dict[int, str]:
    stored = dict(TaskState.objects.values_list("task_id", "bucket"))
    for pk in stored:  # the one-task path gives the same answers
        bucket_refresh(pk)
    assert dict(TaskState.objects.values_list("task_id", "bucket")) == stored
    return stored


def _expect_escalate(ctx) -> set[tuple]:
    rules = twins.active_rules()
    issued = twins.measures()
    expected = set()
    for pk, (status, facts) in twins.task_facts().items():
        if status in schedule.COUNTED_STATES:
            for m in escalation.to_issue(facts, rules, ctx.day, issued.get(pk, [])):
                expected.add((pk, str(m.level), str(m.cause)))
    return expected


def _observe_escalate(ctx, _before) -> set[tuple]:
    new = Escalation.objects.filter(id__gt=ctx.since(Escalation))
    for level, rank, trigger, cause in new.values_list("level", "rank", "trigger", "cause"):
        assert rank == escalation.RANK[Level(level)] and cause.startswith(f"{trigger}:")
    return set(new.values_list("task_id", "level", "cause"))


def _expect_lift(ctx) -> set[int]:
    facts = twins.task_facts()
    active = Escalation.objects.filter(lifted_on=None)
    return {
        pk
        for pk, task, level, cause in active.values_list("id", "task_id", "level", "cause")
        if escalation.lifted([Measure(Level(level), Cause.parse(cause))], facts[task][1])
    }


def _observe_lift(ctx, before: set[int]) -> set[int]:
    lifted = Escalation.objects.filter(lifted_on=ctx.day, lift_reason="cause_gone")
    return set(lifted.values_list("id", flat=True)) - before


def _lifted_already(ctx) -> set[int]:
    return set(Escalation.objects.filter(lifted_on__isnull=False).values_list("id", flat=True))


TWINS = {
    "missed_reports": Twin(_expect_missing, _observe_missing),
    "report_streaks": Twin(_expect_streaks, _observe_streaks),
    "buckets": Twin(_expect_buckets, _observe_buckets),
    "escalate": Twin(_expect_escalate, _observe_escalate),
    "lift": Twin(_expect_lift, _observe_lift),
}
BEFORE = {"lift": _lifted_already}


def test_every_twin_is_held_to_its_rule():
    """A rule's Python twin is tested against it below, or it has none."""
    assert {rule.name for rule in RULES if rule.twin is not None} == set(TWINS)
    assert all(AUTOMATIC)  # the lift twin covers every automatic cause kind


def _sweep_until(day: dt.date, name: str) -> tuple[Any, SweepRule]:
    """A sweep of `day` begun, with every rule before `name` applied."""
    ctx = loop.begin(day)
    for rule in RULES:
        if rule.name == name:
            return ctx, rule
        loop.apply(rule, ctx)
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(TWINS))
def test_each_rule_writes_what_its_python_twin_says_on_random_ledgers(ledger, way, name):
    twin = TWINS[name]
    with clock.frozen_at(ledger.day), loop.rules_staged():
        ctx, rule = _sweep_until(ledger.day, name)
        expected = twin.expect(ctx)
        before = BEFORE.get(name, lambda ctx: None)(ctx)
        figures = loop.apply(rule, ctx)
        assert twin.observe(ctx, before) == expected
    assert sum(figures.values()) > 0, "the random ledger gave the rule nothing to do"


# --- what each rule writes -------------------------------------------------------------

SNAPSHOT = (
    Task, TaskState, TaskUnit, MissedReport, Escalation, LookbackCheck, Notification,
    CloseoutStep, AuditEvent, ProgressReport, Snapshot, SnapshotRow,
)  # fmt: skip


def _snapshot() -> dict[str, dict[Any, tuple]]:
    out = {}
    for model in SNAPSHOT:
        names = [f.attname for f in model._meta.concrete_fields]
        rows = model.objects.order_by().values_list(model._meta.pk.attname, *names)
        out[model._meta.model_name] = {
            row[0]: dict(zip(names, row[1:], strict=True)) for row in rows
        }
    return out


def _changes(before, after) -> set[str]:
    """What differs: "table" where rows came or went, "table.column" where a value changed."""
    changed = set()
    for table, rows in before.items():
        if rows.keys() != after[table].keys():
            changed.add(table)
        for pk in rows.keys() & after[table].keys():
            for column, value in rows[pk].items():
                if after[table][pk][column] != value:
                    changed.add(f"{table}.{column.removesuffix('_id')}")
    return changed


def _declared(rule: SweepRule, change: str) -> bool:
    table = change.partition(".")[0]
    return change in rule.writes or table in rule.writes


@pytest.mark.parametrize("name", ORDER)
def test_each_rule_writes_only_what_it_declares_and_a_second_run_nothing(ledger, name):
    with clock.frozen_at(ledger.day), loop.rules_staged():
        ctx, rule = _sweep_until(ledger.day, name)
        before = _snapshot()
        first = loop.apply(rule, ctx)
        after = _snapshot()
        undeclared = {c for c in _changes(before, after) if not _declared(rule, c)}
        assert not undeclared, undeclared
        # The rest of the sweep, then the same rule again in a new run of the same day.
        for later in RULES[RULES.index(rule) + 1 :]:
            loop.apply(later, ctx)
        loop.finish(ctx)
        again = loop.begin(ledger.day)
        settled = _snapshot()
        assert loop.apply(rule, again) == dict.fromkeys(first, 0)
        assert _snapshot() == settled
