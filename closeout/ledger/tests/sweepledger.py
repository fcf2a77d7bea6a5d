"""Random ledgers for the sweep's rule tests: a generated province (`closeout gen`)
swept on a few days, with seeded random changes between the sweeps through the paths
the services take (reports filed late and on time, due dates moved, tasks closed and
reopened, rebounds, the office's ladder changed), so that every rule has work to do."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from closeout.ledger import clock, services, sweep
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AssignmentRole,
    EscalationRule,
    MissedReport,
    Task,
    TaskUnit,
)
from closeout.ledger.rules.workflow import REPORTING_STATES, Status
from closeout.ledger.services.taskstate import streak_refresh
from closeout.ledger.synth import AS_OF


@dataclass(frozen=True)
class Ledger:
    seed: int
    day: dt.date  # the day the rules are tested on (swept before: never)


def build(seed: int, tasks: int = 240) -> Ledger:
    rng = random.Random(seed)
    call_command("gen", "--tasks", str(tasks), "--seed", str(seed), stdout=StringIO())
    # A sharper due-soon step beside the default ladder.
    EscalationRule.objects.create(level="reminder", trigger="due_soon", threshold=3)
    first = AS_OF + dt.timedelta(days=rng.randint(0, 14))
    sweep.run(first)
    change(rng, first)
    middle = first + dt.timedelta(days=rng.randint(5, 20))
    sweep.run(middle)
    # The office lowers its ladder: no summons at 90 days overdue any more, so tasks
    # that had one now meet only the listed supervision at 60 (a weaker step).
    EscalationRule.objects.filter(level="summons", trigger="overdue").update(active=False)
    change(rng, middle)
    return Ledger(seed, middle + dt.timedelta(days=rng.randint(1, 21)))


def change(rng: random.Random, day: dt.date) -> None:
    """Seeded changes on `day`, as people make them between two sweeps."""
    with clock.frozen_at(day):
        _report(rng, day)
        for task in Task.objects.filter(status=Status.IN_PROGRESS).order_by("id"):
            roll = rng.random()
            if roll < 0.3 and task.due_date is not None:
                # An extension, or a due date that comes close or has passed long ago.
                task.due_date = day + dt.timedelta(days=rng.randint(-100, 12))
                task.progress = rng.choice([0, 20, 45, 70, 90])
                task.save(update_fields=["due_date", "progress"])
            elif roll < 0.38:
                task.rebounds += rng.choice([1, 2])
                task.save(update_fields=["rebounds"])
            elif roll < 0.43:
                task.status, task.closed_on, task.progress = Status.CLOSED, day, 100
                task.save(update_fields=["status", "closed_on", "progress"])
                streak_refresh(task)
        for task in Task.objects.filter(status=Status.CLOSED).order_by("id"):
            if rng.random() < 0.05:  # a look-back found the problem back (反弹)
                task.status, task.rebounds = Status.IN_PROGRESS, task.rebounds + 1
                task.save(update_fields=["status", "rebounds"])
                streak_refresh(task)


def _report(rng: random.Random, day: dt.date) -> None:
    """Units file reports: late ones for a missed period, and this week's."""
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="gen-")}
    leads = dict(
        TaskUnit.objects.filter(role=AssignmentRole.LEAD)
        .order_by("-id")
        .values_list("task_id", "unit_id")
    )
    owing = Task.objects.filter(status__in=REPORTING_STATES, start_date__lte=day).order_by("id")
    for task in owing:
        user = users.get(f"gen-unit-{leads.get(task.pk)}")
        if user is None or rng.random() >= 0.2:
            continue
        missed = list(
            MissedReport.objects.filter(task=task, report=None).values_list(
                "period_start", flat=True
            )
        )
        period = rng.choice(missed) if missed and rng.random() < 0.6 else None
        services.report_create(
            actor=Actor.of(user),
            task_id=task.pk,
            text="本周整改进展。",
            percent=min(100, task.progress + rng.randint(0, 20)),
            period=period,
        )
