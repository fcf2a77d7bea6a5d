"""The sweep's rules on a task's standing: its stored schedule bucket (序时进度) and the
end of public notices (公示) whose days have run out."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from closeout.ledger.errors import Conflict, InvalidTransition
from closeout.ledger.models import Objection, Task, TaskState
from closeout.ledger.rules.workflow import Status
from closeout.ledger.sweep.base import DAY, Context
from closeout.ledger.sweep.sql import Statement, statement, update_from
from closeout.ledger.sweep.sqlrules import bucket_expression

Figures = dict[str, int]


def buckets(ctx: Context) -> Figures:
    return {"buckets_changed": buckets_statement().run(day=ctx.day)}


def buckets_statement() -> Statement:
    return statement("buckets", _buckets_statement)


def _buckets_statement() -> Statement:
    return update_from(
        TaskState,
        {"bucket": "_bucket"},
        Task.objects.annotate(_bucket=bucket_expression(DAY)).values("id", "_bucket"),
    )


def notices_due(day: object) -> QuerySet[Task, int]:
    """The tasks on public notice whose last day is before `day` (a date or the DAY
    slot), every objection answered or marked as spam."""
    return (
        Task.objects.filter(status=Status.NOTICE, notice_until__lt=day)
        .exclude(Exists(Objection.objects.unsettled().filter(task_id=OuterRef("pk"))))
        .order_by("id")
        .values_list("id", flat=True)
    )


def notices(ctx: Context) -> Figures:
    """End the public notices that are due (the `end_notice` transition, audited per task)."""
    from closeout.ledger.access import Actor
    from closeout.ledger.services.transitions import task_transition

    system = Actor.system("sweep")
    ended = 0
    for task_id in notices_due(ctx.day):
        # Someone may have moved the task (the office ended the notice, a supervisor
        # sent it back, an objection came in) between the listing and its row lock:
        # then there is nothing for the sweep to do, and the rest of the run goes on.
        try:
            task_transition(actor=system, task_id=task_id, name="end_notice")
        except (InvalidTransition, Conflict):
            continue
        ended += 1
    return {"notices_ended": ended}
