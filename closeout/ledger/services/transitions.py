"""Life-cycle transitions of a task (see `closeout.ledger.rules.workflow`): the one
service every interface and the sweep take a step through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import Conflict, InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import Task, TaskUnit
from closeout.ledger.rules import limits
from closeout.ledger.rules.workflow import Status, transition_rules
from closeout.ledger.services import closeouts
from closeout.ledger.services.audit import audit
from closeout.ledger.services.taskstate import bucket_refresh, lock_task, streak_refresh


def task_transition(
    *,
    actor: Actor,
    task_id: int,
    name: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    files: Sequence[Any] = (),
) -> Task:
    """Take a life-cycle transition (see `closeout.ledger.rules.workflow`).

    1. lock the task row and check the actor may see it;
    2. check the role, scope and separation of duties (`access.may_take`);
    3. check the state table allows it from the current state;
    4. check what the close-out step requires (`closeouts.check`: self-assessment,
       evidence, notice over and objections answered, on-site check…);
    5. change the state; the save is conditional on the old state, so a concurrent
       transition that got there first makes this one fail with `Conflict`;
    6. append the close-out step, the notifications and the audit event, and refresh
       the task's schedule bucket, all in one transaction.
    """
    rule = transition_rules().get(name)
    if rule is None:
        raise InvalidInput(_("unknown transition %(name)s") % {"name": name}, field="transition")
    note = limits.STEP_NOTE.check(note)
    if rule.needs_reason and not note:
        raise InvalidInput(_("%(step)s: a reason is required") % {"step": rule.label}, field="note")
    with transaction.atomic():
        task = lock_task(task_id)
        if not access.can_view(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not access.may_take(actor, task, name):
            raise NotPermitted(
                _("%(actor)s may not take '%(step)s' on task %(task)s")
                % {"actor": actor.label, "step": rule.label, "task": task_id}
            )
        method = getattr(task, name)
        if not can_proceed(method):
            raise InvalidTransition(
                _("'%(step)s' is not possible while the task is '%(status)s'")
                % {"step": rule.label, "status": Status(task.status).label}
            )
        prepared = closeouts.check(actor, task, name, note, data or {}, files)
        old = task.status
        method()
        if task.status in (Status.CLOSED, Status.SUSTAINED):
            task.closed_on = clock.today()
        elif old in (Status.CLOSED, Status.SUSTAINED):
            task.closed_on = None
        try:
            task.save(update_fields=["status", "closed_on", "updated_at"])
        except ConcurrentTransition:
            raise Conflict(
                _("task %(task)s was changed by someone else; reload it") % {"task": task_id}
            ) from None
        TaskUnit.objects.filter(task_id=task.pk).update(task_status=task.status)
        step = closeouts.record(actor, task, name, note, prepared, files)
        streak_refresh(task)
        bucket_refresh(task.pk)
        audit(
            actor,
            f"task.{name}",
            task,
            task=task,
            before={"status": old},
            after={
                "status": task.status,
                **({"step": step.pk, **step.data} if step is not None else {}),
            },
            note=note,
        )
    return task
