"""Who may see and do what (权限): the one place every interface asks.

Roles (DOMAIN.md "Roles"):
- office (整改办): everything.
- unit (责任单位): tasks where its unit, or a unit below it, is a lead or cooperating
  unit, once the office has confirmed them: view, report progress, request close-out.
- supervisor (督导单位): tasks its unit (or a unit below it) supervises: view, review,
  verify, send back, reopen.
- leader (领导): reads everything, changes nothing.
- public (公众): tasks of published plans, read-only.
- system: the scheduled sweep.

A unit never approves its own close-out: approval transitions are refused to anyone
whose unit scope covers one of the task's responsible units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from closeout.ledger.models.accounts import Role
from closeout.ledger.models.tasks import AssignmentRole, Task, TaskUnit
from closeout.ledger.models.units import Unit
from closeout.ledger.rules.workflow import SYSTEM, Status, transition_rules

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

RESPONSIBLE_ROLES = (AssignmentRole.LEAD, AssignmentRole.COOP)
SUPERVISING_ROLES = (AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING)

VIEW, EDIT, REPORT, TRANSITION, ADMIN = "view", "edit", "report", "transition", "admin"
ACTIONS = (VIEW, EDIT, REPORT, TRANSITION, ADMIN)


@dataclass(frozen=True)
class Actor:
    """Someone acting on the ledger: a signed-in user, an anonymous visitor or the system."""

    role: str
    label: str
    user_id: int | None = None
    unit_id: int | None = None
    unit_path: str | None = None
    user: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, user: AbstractBaseUser | AnonymousUser | None) -> Actor:
        """The actor for a Django user (cached on the user object for the request)."""
        if user is None or not user.is_authenticated:
            return cls(role=Role.PUBLIC, label="anonymous")
        cached = getattr(user, "_closeout_actor", None)
        if cached is not None:
            return cached
        from closeout.ledger.models.accounts import Profile

        profile = Profile.objects.select_related("unit").filter(user_id=user.pk).first()
        label = user.get_username()
        if profile is not None:
            actor = cls(
                role=profile.role,
                label=label,
                user_id=user.pk,
                unit_id=profile.unit_id,
                unit_path=profile.unit.path if profile.unit else None,
                user=user,
            )
        elif getattr(user, "is_superuser", False):
            actor = cls(role=Role.OFFICE, label=label, user_id=user.pk, user=user)
        else:
            # A login with no profile has no business with the ledger: treat as public.
            actor = cls(role=Role.PUBLIC, label=label, user_id=user.pk, user=user)
        user._closeout_actor = actor  # type: ignore[union-attr,attr-defined]
        return actor

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(role=SYSTEM, label=label)

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.OFFICE, Role.LEADER, SYSTEM)


def _in_scope(actor: Actor, roles: tuple[str, ...]) -> QuerySet[TaskUnit, Any]:
    """Ids of the tasks where a unit of the actor's subtree takes one of `roles`."""
    units = Unit.objects.filter(path__startswith=actor.unit_path or "-").values("id")
    return TaskUnit.objects.filter(role__in=roles, unit_id__in=units).values("task_id")


def visible_tasks(actor: Actor, tasks: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """The tasks this actor may see."""
    qs = Task.objects.all() if tasks is None else tasks
    if actor.sees_everything:
        return qs
    # Drafts (imported, 待确认) are the office's until it confirms them.
    if actor.role == Role.UNIT:
        return qs.filter(pk__any_of=_in_scope(actor, RESPONSIBLE_ROLES)).exclude(
            status=Status.DRAFT
        )
    if actor.role == Role.SUPERVISOR:
        return qs.filter(pk__any_of=_in_scope(actor, SUPERVISING_ROLES)).exclude(
            status=Status.DRAFT
        )
    return qs.filter(plan__published=True).exclude(status__in=[Status.DRAFT, Status.CANCELLED])


def task_relations(actor: Actor, task: Task) -> set[str]:
    """How the actor's unit stands to a task: {"responsible", "supervising"} or a subset."""
    if not actor.unit_path:
        return set()
    roles = set(
        TaskUnit.objects.filter(task_id=task.pk, unit__path__startswith=actor.unit_path)
        .values_list("role", flat=True)
        .distinct()
    )
    relations = set()
    if roles & set(RESPONSIBLE_ROLES):
        relations.add("responsible")
    if roles & set(SUPERVISING_ROLES):
        relations.add("supervising")
    return relations


def can_view(actor: Actor, task: Task) -> bool:
    if actor.sees_everything:
        return True
    if actor.role in (Role.UNIT, Role.SUPERVISOR) and task.status == Status.DRAFT:
        return False
    if actor.role == Role.UNIT:
        return "responsible" in task_relations(actor, task)
    if actor.role == Role.SUPERVISOR:
        return "supervising" in task_relations(actor, task)
    return visible_tasks(actor, Task.objects.filter(pk=task.pk)).exists()


def can_edit(actor: Actor, task: Task | None = None) -> bool:
    """Changing a task's fields (target, measures, units, deadline) is the office's job."""
    return actor.role == Role.OFFICE


def can_report(actor: Actor, task: Task) -> bool:
    """Progress is reported by the responsible units (or by the office on their behalf)."""
    if actor.role == Role.OFFICE:
        return True
    return actor.role == Role.UNIT and "responsible" in task_relations(actor, task)


def can_use_admin(actor: Actor) -> bool:
    return actor.role == Role.OFFICE


def may_take(actor: Actor, task: Task, name: str) -> bool:
    """Whether the actor may take transition `name` on the task, ignoring its state."""
    rule = transition_rules().get(name)
    if rule is None or actor.role not in rule.roles:
        return False
    if actor.role in (Role.OFFICE, SYSTEM):
        relations: set[str] = set()
    else:
        relations = task_relations(actor, task)
        needed = "responsible" if actor.role == Role.UNIT else "supervising"
        if needed not in relations:
            return False
    # Separation of duties: a unit never approves its own close-out.
    return not (rule.approves and "responsible" in relations)


def can_transition(actor: Actor, task: Task) -> bool:
    """Whether any transition at all is open to the actor on this task (for the matrix)."""
    return any(may_take(actor, task, name) for name in transition_rules())


def available_transitions(actor: Actor, task: Task) -> list[str]:
    """The transitions the actor may take now, from the task's current state."""
    return [
        rule.name
        for rule in transition_rules().values()
        if task.status in rule.sources and may_take(actor, task, rule.name)
    ]


def allowed(actor: Actor, action: str, task: Task) -> bool:
    """One entry point for the permission matrix: view, edit, report, transition, admin."""
    if action == VIEW:
        return can_view(actor, task)
    if action == EDIT:
        return can_edit(actor, task)
    if action == REPORT:
        return can_report(actor, task)
    if action == TRANSITION:
        return can_transition(actor, task)
    if action == ADMIN:
        return can_use_admin(actor)
    raise ValueError(f"unknown action {action!r}")


def visible_q_for_units(actor: Actor) -> Q:
    """Units an actor may pick in filters: its own subtree, or all for the office."""
    if actor.sees_everything or not actor.unit_path:
        return Q()
    return Q(path__startswith=actor.unit_path)
