"""Tasks without a due date (立行立改, 长期坚持, both, or none parsed) swept on many days, on
both databases: the stored bucket and the SQL causes are the pure rules', the bucket is
never overdue, and no measure is ever issued for lateness (overdue or due soon); a
lateness measure left from the old rule (an immediate task due on its start date)
lifts at the next sweep."""

from __future__ import annotations

import datetime as dt

import pytest

from closeout.ledger import sweep
from closeout.ledger.models import Escalation, EscalationRule, Milestone, Task
from closeout.ledger.rules.escalation import RANK, Level, Trigger
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import Status
from closeout.ledger.sweep.sqlrules import bucket_expression, cause_expression
from closeout.ledger.tests import twins
from closeout.ledger.tests.factories import ProblemFactory, make_task

pytestmark = pytest.mark.django_db

D = dt.date
START = D(2021, 3, 1)
KINDS = {
    "immediate": {"immediate": True, "deadline_raw": "立行立改"},
    "ongoing": {"ongoing": True, "deadline_raw": "长期坚持"},
    "both": {"immediate": True, "ongoing": True, "deadline_raw": "立行立改,长期坚持"},
    "neither": {"deadline_raw": "按计划推进"},
}
STATES = [Status.IN_PROGRESS, Status.REQUESTED, Status.NOTICE, Status.VERIFIED]
# The start, the day after (where the old rule made immediate tasks overdue), a week,
# a month, a year and several years on.
DAYS = [
    START, START + dt.timedelta(days=1), START + dt.timedelta(days=8), D(2021, 4, 5),
    D(2021, 12, 31), D(2022, 3, 2), D(2024, 7, 1), D(2026, 3, 2),
]  # fmt: skip
LATENESS = [Trigger.OVERDUE, Trigger.DUE_SOON]


def _no_due_tasks(world) -> list[Task]:
    problem = ProblemFactory(plan=world.plan, seq=7)
    tasks = []
    seq = 700
    for kind, fields in KINDS.items():
        for state in STATES:
            for with_milestone in (False, True):
                seq += 1
                task = make_task(problem, seq, world.env, due_date=None, start_date=START, **fields)
                Task.objects.filter(pk=task.pk).update(
                    status=state, progress=0 if with_milestone else 30
                )
                if with_milestone:  # behind by its milestone: still never "due soon"
                    Milestone.objects.create(
                        task=task, seq=1, title=f"{kind}节点", due_date=START,
                        expected_progress=100,
                    )  # fmt: skip
                tasks.append(task)
    return tasks


def _keen_ladder() -> None:
    """Warnings a year ahead and a measure from the first day late, beside the defaults."""
    EscalationRule.objects.create(level="warning", trigger="due_soon", threshold=365)
    EscalationRule.objects.create(level="supervision", trigger="overdue", threshold=1)


def test_tasks_without_a_due_date_are_never_overdue_nor_escalated_for_lateness(world):
    _keen_ladder()
    tasks = _no_due_tasks(world)
    ids = [t.pk for t in tasks]
    mine = Task.objects.filter(pk__in=ids)
    buckets_seen: set[str] = set()
    for day in DAYS:
        sweep.run(day)
        stored = dict(mine.values_list("pk", "state__bucket"))
        pure = twins.pure_buckets(day)
        assert stored == {pk: pure[pk] for pk in ids}, day
        sql = dict(mine.annotate(b=bucket_expression(day)).values_list("pk", "b"))
        assert sql == stored, day
        assert Bucket.OVERDUE not in stored.values(), day
        buckets_seen |= set(stored.values())
        for trigger in LATENESS:
            causes = mine.annotate(c=cause_expression(trigger, day)).filter(c__isnull=False)
            assert not causes.exists(), (trigger, day)
        assert not Escalation.objects.filter(task_id__in=ids, trigger__in=LATENESS).exists()
        facts = twins.task_facts()
        assert all(facts[pk][1].due is None for pk in ids)
    # Behind (milestones, missed reports) and on schedule both occur: the tasks are
    # followed, not ignored, and they are escalated for the reports they miss.
    assert {Bucket.BEHIND, Bucket.ON_SCHEDULE} <= buckets_seen
    assert Escalation.objects.filter(task_id__in=ids, trigger=Trigger.MISSED_REPORTS).exists()


def test_a_task_with_a_due_date_beside_them_is_still_overdue(world):
    """The control: the same sweep still finds lateness where there is a due date."""
    _no_due_tasks(world)
    dated = make_task(ProblemFactory(plan=world.plan, seq=6), 801, world.env,
                      start_date=START, due_date=D(2021, 3, 31), immediate=True)  # fmt: skip
    Task.objects.filter(pk=dated.pk).update(status=Status.IN_PROGRESS)
    sweep.run(D(2021, 4, 5))
    assert Task.objects.get(pk=dated.pk).state.bucket == Bucket.OVERDUE
    assert Escalation.objects.filter(task=dated, trigger=Trigger.OVERDUE).exists()


def test_a_lateness_measure_left_from_the_old_rule_lifts(world):
    immediate = make_task(ProblemFactory(plan=world.plan, seq=5), 901, world.env,
                          due_date=None, start_date=START, immediate=True)  # fmt: skip
    Task.objects.filter(pk=immediate.pk).update(status=Status.IN_PROGRESS)
    old = Escalation.objects.create(
        task=immediate, unit=world.env, level=Level.CIRCULAR, rank=RANK[Level.CIRCULAR],
        trigger=Trigger.OVERDUE, cause=f"overdue:{START.isoformat()}", size=3,
        issued_by="市整改办", issued_on=START + dt.timedelta(days=3),
    )  # fmt: skip
    sweep.run(START + dt.timedelta(days=10))
    old.refresh_from_db()
    assert old.lifted_on == START + dt.timedelta(days=10)
    assert old.lift_reason == "cause_gone"
    assert (
        not Escalation.objects.filter(task=immediate, trigger__in=LATENESS)
        .exclude(pk=old.pk)
        .exists()
    )
