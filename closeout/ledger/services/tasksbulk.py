"""Many problems and draft tasks at once: a plan's import (方案导入).

`problems_create_many` and `tasks_create_many` are `plans.problem_create` and
`tasks.task_create` for a whole plan, with exactly their checks, rows and audit events,
in sets: one insert per table for every few hundred rows instead of six statements per
task, which is what lets a ledger of 5,000 rows become a draft in seconds. A test holds
them to the same rows and events as the one-at-a-time services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotPermitted
from closeout.ledger.models import (
    AuditEvent,
    Milestone,
    Plan,
    Problem,
    Task,
    TaskPerson,
    TaskState,
    TaskUnit,
)
from closeout.ledger.services import bulkinsert
from closeout.ledger.services.audit import audit_values, snapshot
from closeout.ledger.services.tasks import TASK_EDITABLE_FIELDS, PersonRef, UnitRef

CREATE_FIELDS = {
    *TASK_EDITABLE_FIELDS, "span_start", "span_end", "source_spans", "flags", "status",
}  # fmt: skip


@dataclass(frozen=True)
class ProblemSpec:
    seq: int
    title: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskSpec:
    problem: Problem
    seq: int
    text: str
    units: Sequence[UnitRef] = ()
    persons: Sequence[PersonRef] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)
    milestones: Sequence[tuple[str, dt.date, int]] = ()  # (title, due date, expected %)


def _event(
    actor: Actor, action: str, target: Any, after: dict[str, Any], task_id: Any
) -> dict[str, Any]:
    return audit_values(actor, action, target, task_id=task_id, after=after, note="")


def problems_create_many(
    *, actor: Actor, plan: Plan, specs: Sequence[ProblemSpec]
) -> list[Problem]:
    """`problem_create` for each spec, all or none."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office adds problems"))
    with transaction.atomic():
        problems = bulkinsert.insert_instances(
            Problem, [{"plan_id": plan.pk, "seq": s.seq, "title": s.title, **s.fields}
                      for s in specs]
        )  # fmt: skip
        bulkinsert.insert(
            AuditEvent,
            [
                _event(actor, "problem.create", p, {"plan": plan.pk, "seq": p.seq,
                                                    "title": p.title}, None)
                for p in problems
            ],
            arrays=False,
        )  # fmt: skip
    return problems


def tasks_create_many(*, actor: Actor, specs: Sequence[TaskSpec]) -> list[Task]:
    """`task_create` for each spec, all or none."""
    if not access.can_edit(actor):
        raise NotPermitted(_("only the rectification office creates tasks"))
    for spec in specs:
        unknown = set(spec.fields) - CREATE_FIELDS
        if unknown:
            raise InvalidInput(
                _("unknown task fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
            )
        if not spec.text.strip():
            raise InvalidInput(_("a task needs a text"), field="text")
    with transaction.atomic():
        # Rows as values, not instances (`bulkinsert`): at this scale building and
        # preparing the instances costs more than the inserts.
        tasks = bulkinsert.insert_instances(
            Task,
            [
                {
                    "plan_id": s.problem.plan_id,
                    "problem_id": s.problem.pk,
                    "inspection_id": s.problem.inspection_id,
                    "seq": s.seq,
                    "text": s.text,
                    **s.fields,
                }
                for s in specs
            ],
        )
        bulkinsert.insert(TaskState, [{"task_id": t.pk} for t in tasks])
        bulkinsert.insert(
            TaskUnit,
            [
                {"task_id": t.pk, "unit_id": u.unit.pk, "role": u.role, "task_status": t.status,
                 "via_group_id": u.via_group_id}
                for t, s in zip(tasks, specs, strict=True)
                for u in s.units
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        bulkinsert.insert(
            TaskPerson,
            [
                {
                    "task_id": t.pk,
                    "role": p.role,
                    "text": p.text,
                    "unit_id": p.unit.pk if p.unit is not None else None,
                    "post": p.post,
                }
                for t, s in zip(tasks, specs, strict=True)
                for p in s.persons
            ],
        )
        bulkinsert.insert(
            Milestone,
            [
                {"task_id": t.pk, "seq": i, "title": title, "due_date": due,
                 "expected_progress": pct}
                for t, s in zip(tasks, specs, strict=True)
                for i, (title, due, pct) in enumerate(s.milestones, start=1)
            ],
        )  # fmt: skip
        bulkinsert.insert(
            AuditEvent,
            [
                _event(actor, "task.create", t, {
                    **snapshot(t, ("seq", "status", *TASK_EDITABLE_FIELDS)),
                    "units": [[u.unit.pk, u.role] for u in s.units],
                    "persons": [p.text for p in s.persons],
                }, t.pk)
                for t, s in zip(tasks, specs, strict=True)
            ],
            arrays=False,
        )  # fmt: skip
    return tasks
