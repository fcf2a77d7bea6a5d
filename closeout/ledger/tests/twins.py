"""What the pure rules say of the ledger as it is stored: the schedule bucket every task
should have, and each task's facts and measures as the escalation rules see them. The
sweep's rule tests and the eighteen-month simulation compare the database with these."""

from __future__ import annotations

import datetime as dt

from closeout.ledger.models import Escalation, EscalationRule, Milestone, Task
from closeout.ledger.rules.escalation import Cause, Level, Measure, Rule, TaskFacts, Trigger
from closeout.ledger.services.taskstate import MilestoneRow, bucket_of


def pure_buckets(day: dt.date) -> dict[int, str]:
    """Every task's bucket by `schedule.schedule_status` as of `day` ('' when the task is
    in no bucket), from its stored run of missed reports."""
    milestones: dict[int, list[MilestoneRow]] = {}
    for task, due, pct, reached in Milestone.objects.values_list(
        "task_id", "due_date", "expected_progress", "reached_on"
    ):
        milestones.setdefault(task, []).append((due, pct, reached))
    return {
        task.pk: bucket_of(task, milestones.get(task.pk, ()), task.state.missed_reports, day)
        for task in Task.objects.select_related("state")
    }


def task_facts() -> dict[int, tuple[str, TaskFacts]]:
    """Every task's status and what the escalation rules see of it (its stored bucket
    and run of missed reports, its due date, its rebounds)."""
    rows = Task.objects.values_list(
        "id", "status", "due_date", "rebounds",
        "state__bucket", "state__missed_reports", "state__missed_since",
    )  # fmt: skip
    out = {}
    for pk, status, due, rebounds, bucket, missed, since in rows:
        # The effective due date is the due date: none for a task without one.
        out[pk] = (status, TaskFacts(bucket, due, missed, since, rebounds))
    return out


def measures(**filters: object) -> dict[int, list[Measure]]:
    """Each task's measures (all of them, or those matching `filters`)."""
    out: dict[int, list[Measure]] = {}
    rows = Escalation.objects.filter(**filters).values_list("task_id", "level", "cause")
    for task, level, cause in rows:
        out.setdefault(task, []).append(Measure(Level(level), Cause.parse(cause)))
    return out


def active_rules() -> list[Rule]:
    """The office's active automatic rules as the pure rules state them."""
    return [
        Rule(Level(r.level), Trigger(r.trigger), r.threshold)
        for r in EscalationRule.objects.filter(active=True).exclude(trigger=Trigger.MANUAL)
    ]
