"""Tasks (整改任务): creation, the office's edits and life-cycle transitions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import Conflict, InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    Milestone,
    MissedReport,
    PersonRole,
    Problem,
    Task,
    TaskPerson,
    TaskState,
    TaskUnit,
    Unit,
)
from closeout.ledger.services.audit import audit, snapshot
from closeout.ledger.workflow import Status, transition_rules


@dataclass(frozen=True)
class UnitRef:
    """A unit's part in a task, as given to `task_create`."""

    unit: Unit
    role: str = AssignmentRole.LEAD
    via_group_id: int | None = None


@dataclass(frozen=True)
class PersonRef:
    text: str
    role: str = PersonRole.RESPONSIBLE
    unit: Unit | None = None
    post: str = ""


TASK_EDITABLE_FIELDS = (
    "text",
    "target",
    "measures",
    "category",
    "deadline_raw",
    "due_date",
    "immediate",
    "ongoing",
    "start_date",
    "acceptance_criteria",
)


def task_create(
    *,
    actor: Actor,
    problem: Problem,
    seq: int,
    text: str,
    units: Sequence[UnitRef] = (),
    persons: Sequence[PersonRef] = (),
    milestones: Sequence[tuple[str, dt.date, int]] = (),
    **fields: Any,
) -> Task:
    """Add a task to a problem, with its units, persons and milestones (as a draft)."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office creates tasks"))
    unknown = (
        set(fields) - set(TASK_EDITABLE_FIELDS) - {"span_start", "span_end", "flags", "status"}
    )
    if unknown:
        raise InvalidInput(
            _("unknown task fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if not text.strip():
        raise InvalidInput(_("a task needs a text"), field="text")
    with transaction.atomic():
        task = Task(
            plan_id=problem.plan_id,
            problem=problem,
            inspection_id=problem.inspection_id,
            seq=seq,
            text=text,
            **fields,
        )
        task.save()
        TaskState.objects.create(task=task)
        TaskUnit.objects.bulk_create(
            [
                TaskUnit(
                    task=task,
                    unit=u.unit,
                    role=u.role,
                    task_status=task.status,
                    via_group_id=u.via_group_id,
                )
                for u in units
            ],
            ignore_conflicts=True,
        )
        TaskPerson.objects.bulk_create(
            [
                TaskPerson(task=task, role=p.role, text=p.text, unit=p.unit, post=p.post)
                for p in persons
            ]
        )
        Milestone.objects.bulk_create(
            [
                Milestone(task=task, seq=i, title=title, due_date=due, expected_progress=pct)
                for i, (title, due, pct) in enumerate(milestones, start=1)
            ]
        )
        audit(
            actor,
            "task.create",
            task,
            task=task,
            after={
                **snapshot(task, ("seq", "status", *TASK_EDITABLE_FIELDS)),
                "units": [[u.unit.pk, u.role] for u in units],
                "persons": [p.text for p in persons],
            },
        )
    return task


def lock_task(task_id: int) -> Task:
    # On PostgreSQL the row lock makes concurrent writers queue; on SQLite the IMMEDIATE
    # transaction already serialises writers.
    try:
        return Task.objects.select_for_update().get(pk=task_id)
    except Task.DoesNotExist:
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id}) from None


def task_update(*, actor: Actor, task_id: int, changes: dict[str, Any]) -> Task:
    """Change a task's fields (the office's edit). Records before and after."""
    bad = set(changes) - set(TASK_EDITABLE_FIELDS)
    if bad:
        raise InvalidInput(
            _("these fields cannot be edited: %(names)s") % {"names": ", ".join(sorted(bad))},
            field=sorted(bad)[0],
        )
    with transaction.atomic():
        task = lock_task(task_id)
        if not access.can_view(actor, task):
            raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
        if not access.can_edit(actor, task):
            raise NotPermitted(_("only the rectification office edits tasks"))
        if "measures" in changes and not (
            isinstance(changes["measures"], list)
            and all(isinstance(m, str) for m in changes["measures"])
        ):
            raise InvalidInput(_("measures must be a list of texts"), field="measures")
        before = snapshot(task, changes)
        for name, value in changes.items():
            setattr(task, name, value)
        try:
            task.full_clean(exclude=["plan", "problem", "inspection", "status"])
        except Exception as exc:  # django ValidationError → one clear domain error
            from django.core.exceptions import ValidationError

            if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
                name, messages = next(iter(exc.message_dict.items()))
                raise InvalidInput(
                    _("%(name)s: %(messages)s") % {"name": name, "messages": " ".join(messages)},
                    field=name,
                ) from None
            raise
        task.save(update_fields=[*changes, "updated_at"])
        after = snapshot(task, changes)
        changed = [k for k in changes if before[k] != after[k]]
        if changed:
            audit(
                actor,
                "task.update",
                task,
                task=task,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
    return task


def task_transition(
    *,
    actor: Actor,
    task_id: int,
    name: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    files: Sequence[Any] = (),
) -> Task:
    """Take a life-cycle transition (see `closeout.ledger.workflow`).

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
    from closeout.ledger.services import closeouts

    rule = transition_rules().get(name)
    if rule is None:
        raise InvalidInput(_("unknown transition %(name)s") % {"name": name}, field="transition")
    if rule.needs_reason and not note.strip():
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


def streak_refresh(task: Task) -> None:
    """Recompute one task's run of missed reports (漏报) after a report or a change of
    status: the missing periods still unfilled after the latest period it reported for,
    while it owes reports, and none while it does not (under review, closed). The sweep
    extends the runs of all tasks in sets (`closeout.ledger.sweep.streak_extend`) and
    clears those of tasks that stopped owing reports; a task sent back or reopened owes
    them again, and its run is what it left unreported. `task` is the caller's locked
    row, with its new status and latest period reported for."""
    from django.db.models import Count, Min

    from closeout.ledger.workflow import REPORTING_STATES

    n, since = 0, None
    if task.status in REPORTING_STATES:
        missing = MissedReport.objects.filter(task_id=task.pk, report__isnull=True)
        if task.last_report_period is not None:
            missing = missing.filter(period_start__gt=task.last_report_period)
        run = missing.aggregate(n=Count("id"), since=Min("period_start"))
        n, since = run["n"], run["since"]
    TaskState.objects.filter(task_id=task.pk).exclude(missed_reports=n, missed_since=since).update(
        missed_reports=n, missed_since=since
    )


def bucket_refresh(task_id: int) -> None:
    """Store one task's schedule bucket as of today (after a change that moves it).

    One task at a time, the pure rule (`closeout.ledger.schedule`) is cheaper than the
    SQL form the sweep uses for all tasks; a test holds the two to the same answers.
    """
    from closeout.ledger import schedule

    task = (
        Task.objects.select_related("state")
        .only(
            "status", "start_date", "due_date", "immediate", "ongoing", "progress",
            "state__missed_reports", "state__bucket",
        )
        .get(pk=task_id)
    )  # fmt: skip
    if task.status in schedule.COUNTED_STATES:
        facts = schedule.ScheduleFacts(
            status=task.status,
            start=task.start_date,
            due=task.due_date,
            immediate=task.immediate,
            ongoing=task.ongoing,
            progress=task.progress,
            milestones=tuple(
                schedule.MilestoneFacts(due, pct, reached)
                for due, pct, reached in Milestone.objects.filter(task_id=task_id).values_list(
                    "due_date", "expected_progress", "reached_on"
                )
            ),
            reporting=task.state.missed_reports == 0,
        )
        bucket = str(schedule.schedule_status(facts, clock.today()).bucket)
    else:
        bucket = ""
    if bucket != task.state.bucket:
        TaskState.objects.filter(task_id=task_id).update(bucket=bucket)
