"""Tasks (整改任务): creation, the office's edits and life-cycle transitions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    Milestone,
    PersonRole,
    Problem,
    Task,
    TaskPerson,
    TaskState,
    TaskUnit,
    Unit,
)
from closeout.ledger.rules import limits
from closeout.ledger.rules.dates import check_date
from closeout.ledger.services.audit import audit, snapshot
from closeout.ledger.services.taskstate import lock_task


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
        _check_changes(task, changes)
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


TEXT_LIMITS = {
    limit.field: limit for limit in (limits.TASK_TEXT, limits.TASK_TARGET, limits.DEADLINE_RAW)
}


def _check_changes(task: Task, changes: dict[str, Any]) -> None:
    """The office's edits held to the limits of texts and dates (`rules.limits`,
    `rules.dates`), for the values that change: a start date and a due date within the
    years the ledger takes, the due date not before the start date. A value read from
    the plan and left as it was is not refused again."""
    for name, limit in TEXT_LIMITS.items():
        value = changes.get(name)
        if isinstance(value, str) and value != getattr(task, name):
            changes[name] = limit.check(value)
    today = clock.today()
    start = changes.get("start_date", task.start_date)
    due = changes.get("due_date", task.due_date)
    labels = {"start_date": _("the start date"), "due_date": _("the due date")}
    for name, label in labels.items():
        value = changes.get(name)
        if isinstance(value, dt.date) and value != getattr(task, name):
            check_date(value, field=name, label=label, today=today)
    moved = {n for n in labels if n in changes and changes[n] != getattr(task, n)}
    if not moved or not isinstance(start, dt.date) or not isinstance(due, dt.date):
        return
    if "due_date" in moved:
        check_date(
            due,
            field="due_date",
            label=labels["due_date"],
            today=today,
            not_before=start,
            not_before_label=labels["start_date"],
        )
    elif due < start:
        raise InvalidInput(
            _("%(field)s: %(date)s is after %(bound)s (%(bound_date)s)")
            % {
                "field": labels["start_date"],
                "date": start.isoformat(),
                "bound": labels["due_date"],
                "bound_date": due.isoformat(),
            },
            field="start_date",
        )
