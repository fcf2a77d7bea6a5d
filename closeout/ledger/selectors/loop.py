"""Reads of the closed loop (闭环): a task's close-out steps, objections, look-back checks,
escalation measures and missed reports, and a user's inbox, each limited to what the
actor may see (`closeout.ledger.access`), as `closeout.ledger.selectors` does for the
ledger itself.

`task_loop` gathers what a task's page shows of the loop together with what the actor
may do there; the "may" flags ask `closeout.ledger.access`, as the services do before
they act, and add the state the service requires, so a form is offered exactly when the
service would accept it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound
from closeout.ledger.models import (
    CloseoutStep,
    Escalation,
    Evidence,
    LookbackCheck,
    LookbackState,
    MissedReport,
    Notification,
    Objection,
    Task,
)
from closeout.ledger.rules.escalation import Cause, Level, Measure, TaskFacts, describe
from closeout.ledger.rules.schedule import Bucket
from closeout.ledger.rules.workflow import DONE_STATES, Status


def _visible_task(actor: Actor, task_id: int) -> Task:
    task = access.visible_tasks(actor, Task.objects.filter(pk=task_id)).first()
    if task is None:
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
    return task


def _steps(task_id: int) -> QuerySet[CloseoutStep]:
    return (
        CloseoutStep.objects.filter(task_id=task_id)
        .select_related("unit")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))
        # Each step locks the task row, so ids follow the order the steps were taken in.
        .order_by("round", "id")
    )


def _objections(task_id: int) -> QuerySet[Objection]:
    return Objection.objects.filter(task_id=task_id).order_by("lodged_at", "id")


def _lookbacks(task_id: int) -> QuerySet[LookbackCheck]:
    return LookbackCheck.objects.filter(task_id=task_id).order_by("due_on", "months", "id")


def _escalations(task_id: int) -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(task_id=task_id)
        .select_related("unit")
        .order_by("-issued_on", "-rank", "-id")
    )


# The task page lists the latest missing periods and counts the rest.
MISSED_SHOWN = 12


def _missed(task_id: int) -> QuerySet[MissedReport]:
    return (
        MissedReport.objects.filter(task_id=task_id)
        .select_related("unit", "report")
        .order_by("period_start", "id")
    )


def task_steps(actor: Actor, task_id: int) -> QuerySet[CloseoutStep]:
    """Every close-out step of a task (all rounds), oldest first, with its evidence."""
    _visible_task(actor, task_id)
    return _steps(task_id)


def task_objections(actor: Actor, task_id: int) -> QuerySet[Objection]:
    """The objections (异议) lodged against a task's close-outs, oldest first."""
    _visible_task(actor, task_id)
    return _objections(task_id)


def task_lookbacks(actor: Actor, task_id: int) -> QuerySet[LookbackCheck]:
    """A task's look-back checks (回头看), by due date."""
    _visible_task(actor, task_id)
    return _lookbacks(task_id)


def task_escalations(actor: Actor, task_id: int) -> QuerySet[Escalation]:
    """A task's escalation measures (督办), newest and strongest first."""
    _visible_task(actor, task_id)
    return _escalations(task_id)


def task_missed_reports(actor: Actor, task_id: int) -> QuerySet[MissedReport]:
    """The reporting periods a task's unit let pass without a report (漏报), oldest first."""
    _visible_task(actor, task_id)
    return _missed(task_id)


def objection_detail(actor: Actor, task_id: int, objection_id: int) -> Objection:
    """One objection of a task the actor may see (NotFound otherwise)."""
    found = task_objections(actor, task_id).filter(pk=objection_id).first()
    if found is None:
        raise NotFound(_("objection %(id)s does not exist") % {"id": objection_id})
    return found


def lookback_detail(actor: Actor, task_id: int, check_id: int) -> LookbackCheck:
    found = task_lookbacks(actor, task_id).filter(pk=check_id).first()
    if found is None:
        raise NotFound(_("look-back check %(id)s does not exist") % {"id": check_id})
    return found


def escalation_detail(actor: Actor, task_id: int, escalation_id: int) -> Escalation:
    found = task_escalations(actor, task_id).filter(pk=escalation_id).first()
    if found is None:
        raise NotFound(_("measure %(id)s does not exist") % {"id": escalation_id})
    return found


def sees_objectors(actor: Actor, task_id: int) -> bool:
    """Whether the actor sees who lodged a task's objections (name, contact): those who
    answer them; the public sees the objections and the answers only."""
    return access.sees_objectors(actor, _visible_task(actor, task_id))


def escalation_reason(escalation: Escalation) -> str:
    """Why a measure was issued, in the reader's language: the reason written by hand,
    or the rule's description of its cause as it stood on the day it was issued."""
    if escalation.reason.strip():
        return escalation.reason
    try:
        measure = Measure(Level(escalation.level), Cause.parse(escalation.cause))
        facts = TaskFacts(
            bucket=Bucket.BEHIND, missed_reports=escalation.size, rebounds=escalation.size
        )
        return describe(measure, facts, escalation.issued_on)
    except ValueError:  # a cause key no rule wrote: show it as it is
        return escalation.cause


def lift_reason(escalation: Escalation) -> str:
    """Why a measure was lifted: the sweep's code in words, or what the office wrote."""
    if escalation.lift_reason == "cause_gone":  # written by the sweep
        return _("the cause no longer holds")
    return escalation.lift_reason


def may_lodge_objection(actor: Actor, task: Task) -> bool:
    """Whether the actor may object now: during the public notice, if
    `access.can_lodge_objection` lets them (as `services.objection_lodge` requires)."""
    return task.status == Status.NOTICE and access.can_lodge_objection(actor, task)


def may_record_lookback(actor: Actor, check: LookbackCheck) -> bool:
    """A scheduled check of the task's current closing, by the office or a supervising
    unit (the rule of `services.lookback_record`)."""
    task = check.task
    return (
        check.state == LookbackState.SCHEDULED
        and task.status in DONE_STATES
        and task.closed_on == check.closed_on
        and access.can_record_lookback(actor, task)
    )


@dataclass
class TaskLoop:
    """What a task's page shows of the closed loop, and what the actor may do there."""

    task: Task
    steps: list[CloseoutStep]
    objections: list[Objection]
    lookbacks: list[LookbackCheck]
    escalations: list[Escalation]
    missed: list[MissedReport]  # the latest MISSED_SHOWN, newest first
    missed_total: int = 0
    may_lodge: bool = False
    may_answer: bool = False  # answer the objections not yet answered nor spam
    may_mark_spam: bool = False  # mark those as spam
    sees_objectors: bool = False  # names and contacts of objectors, texts of spam
    may_escalate: bool = False
    may_respond: bool = False  # respond to measures not yet answered
    may_lift: bool = False  # lift measures not yet lifted
    # The one action (access.RESPOND or access.LIFT) the actor has on each measure, by id.
    measure_actions: dict[int, str] = field(default_factory=dict)
    recordable: set[int] = field(default_factory=set)  # look-back checks to record


def task_loop(actor: Actor, task: Task) -> TaskLoop:
    """Everything of the loop for one task the actor may see (NotFound otherwise)."""
    if not access.can_view(actor, task):
        raise NotFound(_("task %(task)s does not exist") % {"task": task.pk})
    loop = TaskLoop(
        task=task,
        steps=list(_steps(task.pk)),
        objections=list(_objections(task.pk)),
        lookbacks=list(_lookbacks(task.pk)),
        escalations=list(_escalations(task.pk)),
        missed=list(_missed(task.pk).order_by("-period_start", "-id")[:MISSED_SHOWN]),
    )
    loop.missed_total = (
        len(loop.missed)
        if len(loop.missed) < MISSED_SHOWN
        else MissedReport.objects.filter(task_id=task.pk).count()
    )
    for check in loop.lookbacks:
        check.task = task  # the same row: no query per check
    loop.may_lodge = may_lodge_objection(actor, task)
    loop.may_answer = access.can_answer_objection(actor, task)
    loop.may_mark_spam = access.can_mark_spam(actor, task)
    loop.sees_objectors = access.sees_objectors(actor, task)
    loop.may_escalate = access.can_escalate(actor, task)
    loop.may_respond = access.can_respond(actor, task)
    loop.may_lift = access.can_lift(actor, task)
    for e in loop.escalations:
        action = access.measure_action(
            actor, task, lifted=e.lifted_on is not None, answered=e.responded_at is not None
        )
        if action is not None:
            loop.measure_actions[e.pk] = action
    loop.recordable = {c.pk for c in loop.lookbacks if may_record_lookback(actor, c)}
    return loop


def inbox(actor: Actor, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's notifications (站内消息), newest first, with their tasks and measures;
    nobody else's, and none for a visitor who is not signed in."""
    qs = (
        Notification.objects.filter(user_id=actor.user_id if actor.user_id is not None else -1)
        .select_related("task", "escalation")
        .order_by("-created_at", "-id")
    )
    return qs.filter(read_at__isnull=True) if unread_only else qs
