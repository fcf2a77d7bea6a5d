"""The SQL forms of the closed loop's rules give the pure rules' answers, on both
databases: the schedule bucket, the escalation causes and thresholds, and the date
helpers they are built from."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import DateField, Value
from django.db.models.functions import Concat

from closeout.ledger.models import EscalationRule, Milestone, Task, TaskState
from closeout.ledger.rules import escalation, schedule
from closeout.ledger.rules.escalation import Rule, TaskFacts, Trigger
from closeout.ledger.rules.schedule import Bucket, MilestoneFacts, ScheduleFacts
from closeout.ledger.rules.workflow import Status
from closeout.ledger.sweep.sql import (
    AddMonths,
    DateText,
    DaysBetween,
    Slot,
    Statement,
    date_value,
    statement,
    update_from,
)
from closeout.ledger.sweep.sqlrules import bucket_expression, cause_expression, rule_condition
from closeout.ledger.tests.factories import ProblemFactory, make_task

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 1, 15), 3, D(2025, 4, 15)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),  # clamped to the month's end
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2025, 8, 31), 3, D(2025, 11, 30)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2025, 12, 31), 12, D(2026, 12, 31)),
        (D(2025, 3, 1), 0, D(2025, 3, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month_on_both_databases(world, day, months, expected):
    Task.objects.filter(pk=world.own.pk).update(closed_on=day)
    got = Task.objects.filter(pk=world.own.pk).annotate(x=AddMonths("closed_on", months)).get().x
    assert got == expected


@pytest.mark.parametrize(
    ("later", "earlier", "days"),
    [(D(2025, 3, 1), D(2025, 2, 1), 28), (D(2024, 3, 1), D(2024, 2, 1), 29),
     (D(2025, 1, 1), D(2025, 1, 10), -9), (D(2025, 5, 5), D(2025, 5, 5), 0)],
)  # fmt: skip
def test_days_between_and_date_text(world, later, earlier, days):
    row = (
        Task.objects.filter(pk=world.own.pk)
        .annotate(
            n=DaysBetween(date_value(later), date_value(earlier)), t=DateText(date_value(later))
        )
        .get()
    )
    assert row.n == days and row.t == later.isoformat()


def _random_tasks(world, rng: random.Random, n: int) -> list[Task]:
    problem = ProblemFactory(plan=world.plan, seq=9)
    tasks = []
    for i in range(n):
        start = (
            D(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 300)) if rng.random() < 0.9 else None
        )
        due = (
            (start or D(2024, 6, 1)) + dt.timedelta(days=rng.randint(-5, 400))
            if rng.random() < 0.8
            else None
        )
        task = make_task(
            problem,
            100 + i,
            world.env,
            start_date=start,
            due_date=due,
            immediate=rng.random() < 0.15,
            ongoing=rng.random() < 0.2,
        )
        status = rng.choice(
            [Status.IN_PROGRESS] * 4
            + [Status.REQUESTED, Status.NOTICE, Status.VERIFIED, Status.CLOSED, Status.SUSTAINED]
        )
        Task.objects.filter(pk=task.pk).update(
            status=status,
            progress=rng.choice([0, 10, 35, 50, 70, 100]),
            rebounds=rng.choice([0, 0, 1, 2]),
        )
        TaskState.objects.filter(task=task).update(
            missed_reports=rng.choice([0, 0, 1, 3]), missed_since=D(2024, 9, 2)
        )
        if rng.random() < 0.4 and start is not None:
            for seq in range(1, rng.randint(1, 3) + 1):
                Milestone.objects.create(
                    task=task,
                    seq=seq,
                    title=f"节点{seq}",
                    due_date=start + dt.timedelta(days=60 * seq),
                    expected_progress=min(100, 30 * seq + rng.randint(0, 10)),
                    reached_on=start + dt.timedelta(days=55 * seq) if rng.random() < 0.5 else None,
                )
        tasks.append(task)
    return tasks


def _facts(task: Task) -> ScheduleFacts:
    return ScheduleFacts(
        status=task.status,
        start=task.start_date,
        due=task.due_date,
        immediate=task.immediate,
        ongoing=task.ongoing,
        progress=task.progress,
        milestones=tuple(
            MilestoneFacts(m.due_date, m.expected_progress, m.reached_on)
            for m in task.milestones.all()
        ),
        reporting=task.state.missed_reports == 0,
    )


AS_OF_DAYS = [D(2024, 1, 1), D(2024, 3, 15), D(2024, 7, 1), D(2024, 12, 31), D(2025, 9, 1)]


def test_the_sql_bucket_is_the_pure_rule_on_random_tasks(world):
    tasks = _random_tasks(world, random.Random(5), 120)
    ids = [t.pk for t in tasks]
    rows = {t.pk: t for t in Task.objects.filter(pk__in=ids).prefetch_related("milestones")}
    for day in AS_OF_DAYS:
        sql = dict(
            Task.objects.filter(pk__in=ids)
            .annotate(b=bucket_expression(day))
            .values_list("pk", "b")
        )
        for pk, task in rows.items():
            assert sql[pk] == schedule.schedule_status(_facts(task), day).bucket, (pk, day)
    assert len({b for b in sql.values()}) >= 4  # the sample reaches most buckets


def test_draft_and_cancelled_tasks_are_in_no_bucket(world):
    Task.objects.filter(pk=world.own.pk).update(status=Status.CANCELLED)
    Task.objects.filter(pk=world.child.pk).update(status=Status.DRAFT)
    got = dict(Task.objects.annotate(b=bucket_expression(D(2019, 1, 1))).values_list("pk", "b"))
    assert got[world.own.pk] == got[world.child.pk] == ""
    assert got[world.foreign.pk] in Bucket.values


def _task_facts(task: Task, day: dt.date) -> TaskFacts:
    status = schedule.schedule_status(_facts(task), day)
    return TaskFacts(
        bucket=status.bucket,
        due=status.due,
        missed_reports=task.state.missed_reports,
        missed_since=task.state.missed_since if task.state.missed_reports else None,
        rebounds=task.rebounds,
    )


def test_sql_causes_and_thresholds_are_the_pure_rules(world):
    tasks = _random_tasks(world, random.Random(11), 120)
    ids = [t.pk for t in tasks]
    rules = [
        Rule(escalation.Level.WARNING, Trigger.DUE_SOON, 7),
        Rule(escalation.Level.REMINDER, Trigger.MISSED_REPORTS, 2),
        Rule(escalation.Level.CIRCULAR, Trigger.OVERDUE, 0),
        Rule(escalation.Level.SUPERVISION, Trigger.OVERDUE, 30),
        Rule(escalation.Level.SUMMONS, Trigger.REBOUND, 2),
    ]
    for day in AS_OF_DAYS:
        # The sweep reads the stored bucket: store it as of the day first.
        for pk, b in (
            Task.objects.filter(pk__in=ids)
            .annotate(b=bucket_expression(day))
            .values_list("pk", "b")
        ):
            TaskState.objects.filter(task_id=pk).update(bucket=b)
        rows = {t.pk: t for t in Task.objects.filter(pk__in=ids).prefetch_related("milestones")}
        for rule in rules:
            stored = EscalationRule(
                level=rule.level, trigger=rule.trigger, threshold=rule.threshold
            )
            sql = dict(
                Task.objects.filter(pk__in=ids)
                .annotate(c=cause_expression(rule.trigger, day))
                .filter(c__isnull=False)
                .filter(rule_condition(stored, day))
                .values_list("pk", "c")
            )
            pure = {}
            for pk, task in rows.items():
                if task.status not in schedule.COUNTED_STATES:
                    continue
                measures = escalation.evaluate(_task_facts(task, day), [rule], day)
                for m in measures:
                    pure[pk] = str(m.cause)
            assert sql == pure, (rule, day)


def test_a_statement_is_built_once_and_runs_with_each_days_date(world):
    problem = ProblemFactory(plan=world.plan, seq=8)
    early = make_task(problem, 901, world.env, due_date=D(2025, 3, 1))
    late = make_task(problem, 902, world.env, due_date=D(2025, 6, 1))
    built = []

    def build() -> Statement:
        built.append(True)
        day = Slot("day", DateField())
        rows = (
            Task.objects.filter(pk__in=[early.pk, late.pk], due_date__lt=day)
            .annotate(_note=Concat(Value("due before "), DateText(day)))
            .values("id", "_note")
        )
        return update_from(Task, {"target": "_note"}, rows)

    key = ("test", early.pk)
    assert statement(key, build).run(day=D(2025, 4, 1)) == 1
    assert statement(key, build).run(day=D(2025, 4, 1)) == 0  # already so
    assert statement(key, build).run(day=D(2025, 7, 1)) == 2
    assert built == [True]
    targets = dict(Task.objects.filter(pk__in=[early.pk, late.pk]).values_list("pk", "target"))
    assert targets == {early.pk: "due before 2025-07-01", late.pk: "due before 2025-07-01"}
    with pytest.raises(ValueError, match="slots"):
        statement(key, build).run()
    with pytest.raises(ValueError, match="slots"):
        statement(key, build).run(day=D(2025, 7, 1), other=1)
