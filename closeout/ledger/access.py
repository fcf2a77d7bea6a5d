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

Two rules of separation of duties hold for every role:
- a unit never approves its own close-out: approval transitions are refused to anyone
  whose unit scope covers one of the task's responsible units;
- whoever requested a close-out takes none of its approval steps (`requested_by`).

Every action has one function here, and `allowed(actor, action, task)` reaches all of
them by name (the permission matrix tests every interface against it). The functions
decide who may act on a task; the state the task or record must be in (a notice running,
an objection still open) is checked by the service, which says what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from closeout.ledger.models.accounts import Role
from closeout.ledger.models.closeouts import CloseoutStep, StepKind
from closeout.ledger.models.tasks import AssignmentRole, Task, TaskUnit
from closeout.ledger.models.units import Unit
from closeout.ledger.rules.workflow import SYSTEM, Status, transition_rules

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

RESPONSIBLE_ROLES = (AssignmentRole.LEAD, AssignmentRole.COOP)
SUPERVISING_ROLES = (AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING)

VIEW, EDIT, REPORT, TRANSITION, ADMIN = "view", "edit", "report", "transition", "admin"
# The closed loop's actions besides the transitions (which are actions by their names).
ESCALATE, RESPOND, LIFT = "escalate", "respond", "lift"
LODGE, ANSWER, MARK_SPAM = "lodge_objection", "answer_objection", "mark_spam"
LOOKBACK = "record_lookback"


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

    @property
    def is_superuser(self) -> bool:
        """A login with Django's superuser flag (the system's administrators)."""
        return bool(getattr(self.user, "is_superuser", False))


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


def can_see_board(actor: Actor) -> bool:
    """The leader board (挂图作战) covers the whole ledger: the office and the leaders."""
    return actor.role in (Role.OFFICE, Role.LEADER)


def can_record_indicators(actor: Actor) -> bool:
    """Indicators and their measured values are entered by the office."""
    return actor.role == Role.OFFICE


def can_see_overview(actor: Actor) -> bool:
    """The office overview (总览: totals, rankings, lists across every unit) is for the
    office, its clerks and leaders (who read it); units and supervisors have their own
    pages."""
    return actor.role in (Role.OFFICE, Role.LEADER)


def can_use_admin(actor: Actor) -> bool:
    """The Django admin is kept for superusers (the system's administrators), whatever
    their role; the office does its work on its own settings pages
    (`can_manage_settings`)."""
    return actor.is_superuser and bool(getattr(actor.user, "is_active", False))


def can_manage_settings(actor: Actor) -> bool:
    """The office's settings pages (escalation rules, closed-loop settings, holiday
    arrangement, users and the unit registry): the office (整改办) and superusers."""
    return actor.role == Role.OFFICE or actor.is_superuser


def requested_by(task: Task) -> tuple[int | None, str] | None:
    """Who requested the task's current close-out round: the user id and label of its
    request step (None before any request). A send-back or a withdrawal ends the round;
    the next request opens another, with its own requester."""
    if task.closeout_round < 1:
        return None
    row = (
        CloseoutStep.objects.filter(
            task_id=task.pk, round=task.closeout_round, kind=StepKind.REQUEST
        )
        .order_by("-id")
        .values_list("actor_id", "actor_label")
        .first()
    )
    return None if row is None else (row[0], row[1])


def is_requester(actor: Actor, task: Task) -> bool:
    """Whether the actor requested the task's current close-out round. A login is
    matched by its user id; an actor without one (the system, a script) by its label."""
    who = requested_by(task)
    if who is None:
        return False
    user_id, label = who
    if user_id is not None or actor.user_id is not None:
        return user_id == actor.user_id
    return label == actor.label


def may_take(actor: Actor, task: Task, name: str) -> bool:
    """Whether the actor may take transition `name` on the task, ignoring its state.

    Approval steps (初审 pass_review, end_notice, 核查 verify, 备案 file, and send_back)
    are refused to a unit responsible for the task and to the person who requested the
    current close-out, whatever their role. Sending back counts as one of them: it is the
    reviewers' rejection, recorded with their reasons for the unit to act on, not the
    requester's to give. The requester has `withdraw_request` to take a request back
    before it is reviewed; sending back their own request later would let them cut short
    a public notice or an on-site check that goes against it and start a fresh round.
    """
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
    if not rule.approves:
        return True
    # Separation of duties: a unit never approves its own close-out, nor anyone the
    # close-out they asked for.
    return "responsible" not in relations and not is_requester(actor, task)


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


# --- the closed loop around a task: measures, objections, look-backs --------------------


def _answers_for(actor: Actor, task: Task) -> bool:
    """The office, or a unit that supervises the task and is not responsible for it."""
    if actor.role == Role.OFFICE:
        return True
    return actor.role == Role.SUPERVISOR and task_relations(actor, task) == {"supervising"}


def can_escalate(actor: Actor, task: Task) -> bool:
    """Issuing a measure by hand (督办): the office, and supervising units for the tasks
    they supervise."""
    if actor.role == Role.OFFICE:
        return True
    return actor.role == Role.SUPERVISOR and "supervising" in task_relations(actor, task)


def can_respond(actor: Actor, task: Task) -> bool:
    """Responding to a measure (整改说明): the responsible units it is addressed to.

    Not the office, although it reports on behalf of units without a login: the office
    issues measures and lifts them, and a measure it answered itself would be a
    measure nobody answered. A unit without a login answers on paper; the office then
    lifts the measure, saying so in the reason."""
    return actor.role == Role.UNIT and "responsible" in task_relations(actor, task)


def can_lift(actor: Actor, task: Task | None = None) -> bool:
    """Lifting a measure by hand: the office (the sweep lifts rule-based ones itself)."""
    return actor.role == Role.OFFICE


def measure_action(actor: Actor, task: Task, *, lifted: bool, answered: bool) -> str | None:
    """The one action the actor has on a measure (督办措施) of the task, so that each
    role sees one form per measure, never two: LIFT for the office while it stands,
    RESPOND for the responsible unit while it stands unanswered (once answered, the
    unit waits for the office), None for everyone else and once it is lifted. The two
    roles never overlap (`can_respond` leaves the office out)."""
    if lifted:
        return None
    if can_lift(actor, task):
        return LIFT
    if not answered and can_respond(actor, task):
        return RESPOND
    return None


def objection_visible(actor: Actor, task: Task) -> bool:
    """Whether the actor may find the task to object to it: the tasks it sees, and every
    task the public sees (a unit with no part in a task objects as the public does)."""
    return can_view(actor, task) or can_view(Actor.of(None), task)


def can_lodge_objection(actor: Actor, task: Task) -> bool:
    """Objecting to a close-out on public notice (公示异议): the public (公众), and units
    with no part in the task. Not the office or the task's supervising units, which
    answer objections; not its responsible units, whose work is on notice; not leaders,
    who read the ledger and act in it through the office."""
    if actor.role == Role.PUBLIC:
        return True
    if actor.role in (Role.UNIT, Role.SUPERVISOR):
        return not task_relations(actor, task)
    return False


def can_answer_objection(actor: Actor, task: Task) -> bool:
    """Answering an objection (once): the office, or a supervising unit of the task that
    is not also responsible for it; never the person who requested the close-out, since
    answering every objection is what lets the notice end."""
    return _answers_for(actor, task) and not is_requester(actor, task)


def can_mark_spam(actor: Actor, task: Task) -> bool:
    """Marking an objection as spam (with a reason), so that it needs no answer before
    the notice ends: the office, but not the person who requested the close-out."""
    return actor.role == Role.OFFICE and not is_requester(actor, task)


def sees_objectors(actor: Actor, task: Task) -> bool:
    """Who sees the name and contact of objectors: those who answer objections (the
    office, the supervising unit); the public sees the objections and the answers."""
    return _answers_for(actor, task)


def can_record_lookback(actor: Actor, task: Task) -> bool:
    """Recording a look-back check (回头看): the office, or a supervising unit of the
    task; never a unit that is itself responsible for it (it would judge its own work)."""
    if not may_take(actor, task, "reopen"):
        return False
    return "responsible" not in task_relations(actor, task)


_RULES: dict[str, Callable[[Actor, Task], bool]] = {
    VIEW: can_view,
    EDIT: can_edit,
    REPORT: can_report,
    TRANSITION: can_transition,
    ADMIN: lambda actor, task: can_use_admin(actor),
    ESCALATE: can_escalate,
    RESPOND: can_respond,
    LIFT: can_lift,
    LODGE: can_lodge_objection,
    ANSWER: can_answer_objection,
    MARK_SPAM: can_mark_spam,
    LOOKBACK: can_record_lookback,
}
# Every action `allowed` knows: the ones above, and each transition by its name.
ACTIONS = (*_RULES, *transition_rules())


def allowed(actor: Actor, action: str, task: Task) -> bool:
    """One entry point for the permission matrix: whether the actor may take `action`
    (one of ACTIONS) on the task, its state aside."""
    rule = _RULES.get(action)
    if rule is not None:
        return rule(actor, task)
    if action in transition_rules():
        return may_take(actor, task, action)
    raise ValueError(f"unknown action {action!r}")


def visible_q_for_units(actor: Actor) -> Q:
    """Units an actor may pick in filters: its own subtree, or all for the office."""
    if actor.sees_everything or not actor.unit_path:
        return Q()
    return Q(path__startswith=actor.unit_path)


def tasks_open_to(actor: Actor, action: str, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """The tasks of `tasks` on which the actor may take `action`, their state aside: a
    transition by its name (`may_take`) or LOOKBACK (`can_record_lookback`), for a set of
    tasks in one query instead of one check per task (the queues list many). The same
    rules as `may_take`: role, scope, and for approval steps neither a responsible unit
    nor the current round's requester."""
    name = "reopen" if action == LOOKBACK else action
    rule = transition_rules().get(name)
    if rule is None:
        raise ValueError(f"unknown action {action!r}")
    if actor.role not in rule.roles:
        return tasks.none()
    if actor.role == Role.UNIT:
        tasks = tasks.filter(pk__any_of=_in_scope(actor, RESPONSIBLE_ROLES))
    elif actor.role == Role.SUPERVISOR:
        tasks = tasks.filter(pk__any_of=_in_scope(actor, SUPERVISING_ROLES))
    if rule.approves or action == LOOKBACK:
        # An actor without a unit is responsible for nothing (the scope of "-" is empty).
        tasks = tasks.exclude(pk__in=_in_scope(actor, RESPONSIBLE_ROLES))
    if rule.approves:
        tasks = tasks.exclude(pk__in=_requested_by_actor(actor))
    return tasks


def _requested_by_actor(actor: Actor) -> QuerySet[CloseoutStep, Any]:
    """Ids of the tasks whose current round the actor requested (`is_requester`): the
    latest request step of the round, matched by user id, or by label for an actor
    without a login."""
    from django.db.models import F, OuterRef, Subquery

    latest = (
        CloseoutStep.objects.filter(
            task_id=OuterRef("task_id"), round=OuterRef("round"), kind=StepKind.REQUEST
        )
        .order_by("-id")
        .values("id")[:1]
    )
    who = (
        Q(actor_id=actor.user_id)
        if actor.user_id is not None
        else Q(actor_id__isnull=True, actor_label=actor.label)
    )
    return (
        CloseoutStep.objects.filter(kind=StepKind.REQUEST, round=F("task__closeout_round"))
        .filter(who)
        .filter(id=Subquery(latest))
        .values("task_id")
    )
