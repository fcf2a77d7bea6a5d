"""Reads for escalation letters (督办文书): a measure with everything its letter names
(task, problem, plan, units), for the actors who may see the measure.

A measure is seen by those who see its task page: the office, leaders, the task's
responsible and supervising units (`access.can_view`); never the public, whose portal
shows no measures.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from closeout.ledger import access
from closeout.ledger.access import Actor
from closeout.ledger.errors import NotFound
from closeout.ledger.models import AssignmentRole, Escalation, Role, TaskUnit

LEAD_ROLES = (AssignmentRole.LEAD,)
SUPERVISING_ROLES = (AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING)


def letter_measure(actor: Actor, escalation_id: int, *, task_id: int | None = None) -> Escalation:
    """The measure with its task, problem, plan, addressed unit and the task's units
    (`task.assignments`, units loaded), if the actor may see it; NotFound otherwise
    (also when `task_id` is given and is not the measure's task)."""
    missing = NotFound(_("measure %(id)s does not exist") % {"id": escalation_id})
    if actor.role == Role.PUBLIC:
        raise missing
    found = (
        Escalation.objects.filter(pk=escalation_id)
        .select_related("task", "task__problem", "task__plan", "unit")
        .prefetch_related(
            Prefetch(
                "task__assignments",
                queryset=TaskUnit.objects.select_related("unit").order_by("role", "id"),
            )
        )
        .first()
    )
    if found is None or (task_id is not None and found.task_id != task_id):
        raise missing
    if not access.can_view(actor, found.task):
        raise missing
    return found


def unit_names(escalation: Escalation, roles: tuple[str, ...]) -> list[str]:
    """The names of the task's units in these parts, in order, each once."""
    names: list[str] = []
    for assignment in escalation.task.assignments.all():
        if assignment.role in roles and assignment.unit.name not in names:
            names.append(assignment.unit.name)
    return names
