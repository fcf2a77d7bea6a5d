"""The office's review of a draft plan (方案审核): the units and persons of each task,
the plan's default supervising unit, and unit names decided once for every occurrence.

Every change here is refused once the plan is confirmed (a confirmed task's units change
through its own history, not the review), runs in one transaction that first locks the
plan's row (so it queues behind, or ahead of, the plan's confirmation) and is audited on
the task it changes.

A unit never supervises (督导) a task it is itself responsible for (牵头/配合): the check
is `supervision_conflict`, shared by the single assignment and the plan-wide default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from closeout.ledger import access, clock
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    PersonRole,
    Plan,
    PlanStatus,
    Task,
    TaskPerson,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitProposal,
)
from closeout.ledger.services.audit import audit, snapshot
from closeout.ledger.services.units import unit_alias_add

UNRESOLVED_FLAG = "unit_unresolved: "
RESPONSIBLE = (AssignmentRole.LEAD, AssignmentRole.COOP)
SUPERVISORY = (AssignmentRole.SUPERVISING, AssignmentRole.COOP_SUPERVISING)
PERSON_TEXT_MAX = 200
PERSON_POST_MAX = 60


def supervision_conflict(role: str, unit_id: int, parts: Iterable[tuple[int, str]]) -> bool:
    """True when giving `unit_id` the part `role` would have a unit supervise a task it
    is responsible for, or be responsible for a task it supervises (`parts`: the task's
    (unit id, role) pairs)."""
    if role in SUPERVISORY:
        return any(uid == unit_id and r in RESPONSIBLE for uid, r in parts)
    if role in RESPONSIBLE:
        return any(uid == unit_id and r in SUPERVISORY for uid, r in parts)
    return False


def _office(actor: Actor, what: str) -> None:
    if not access.can_edit(actor):
        raise NotPermitted(what)


def lock_draft_plan(plan_id: int) -> Plan:
    """The plan's row, locked, or a refusal unless it is a draft."""
    plan = Plan.objects.select_for_update().defer("source_text").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("plan %(plan)s does not exist") % {"plan": plan_id})
    if plan.status != PlanStatus.DRAFT:
        raise InvalidTransition(
            _(
                "plan %(plan)s is %(status)s: its review is closed; units and persons are "
                "changed only while a plan is a draft"
            )
            % {"plan": plan_id, "status": plan.get_status_display()}
        )
    return plan


def _draft_task(task_id: int) -> Task:
    plan_id = Task.objects.filter(pk=task_id).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise NotFound(_("task %(task)s does not exist") % {"task": task_id})
    lock_draft_plan(plan_id)
    return Task.objects.select_for_update().get(pk=task_id)


def _unit(unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id, active=True).first()
    if unit is None:
        raise InvalidInput(_("no such unit"), field="unit")
    return unit


def _role(role: str) -> str:
    if role not in AssignmentRole.values:
        raise InvalidInput(_("no such part: %(role)s") % {"role": role}, field="role")
    return role


def _check_part(task: Task, unit: Unit, role: str, *, besides: int | None = None) -> None:
    others = TaskUnit.objects.filter(task=task)
    if besides is not None:
        others = others.exclude(pk=besides)
    parts = list(others.values_list("unit_id", "role"))
    if (unit.pk, role) in parts:
        raise InvalidInput(
            _("%(unit)s already has this part in task %(seq)s")
            % {"unit": unit.name, "seq": task.seq},
            field="unit",
        )
    if supervision_conflict(role, unit.pk, parts):
        raise InvalidInput(
            _("%(unit)s cannot supervise task %(seq)s and be responsible for it")
            % {"unit": unit.name, "seq": task.seq},
            field="unit",
        )


def _part(assignment: TaskUnit) -> dict[str, Any]:
    return {"unit": assignment.unit_id, "role": assignment.role}


def task_unit_add(actor: Actor, *, task_id: int, unit_id: int, role: str) -> TaskUnit:
    """Give a unit a part in a draft task: lead (牵头/主体责任单位), cooperating (配合),
    supervising (督导) or cooperating supervising."""
    _office(actor, _("only the rectification office assigns units"))
    role = _role(role)
    with transaction.atomic():
        task = _draft_task(task_id)
        unit = _unit(unit_id)
        _check_part(task, unit, role)
        assignment = TaskUnit.objects.create(
            task=task, unit=unit, role=role, task_status=task.status
        )
        audit(actor, "taskunit.create", assignment, task=task, after=_part(assignment))
    return assignment


def _draft_assignment(assignment_id: int) -> TaskUnit:
    task_id = TaskUnit.objects.filter(pk=assignment_id).values_list("task_id", flat=True).first()
    if task_id is None:
        raise NotFound(_("assignment %(id)s does not exist") % {"id": assignment_id})
    task = _draft_task(task_id)
    assignment = TaskUnit.objects.select_related("unit").get(pk=assignment_id)
    assignment.task = task
    return assignment


def task_unit_change(actor: Actor, *, assignment_id: int, unit_id: int, role: str) -> TaskUnit:
    """Change the unit or the part of one of a draft task's assignments."""
    _office(actor, _("only the rectification office assigns units"))
    role = _role(role)
    with transaction.atomic():
        assignment = _draft_assignment(assignment_id)
        unit = _unit(unit_id)
        before = _part(assignment)
        if before == {"unit": unit.pk, "role": role}:
            return assignment
        _check_part(assignment.task, unit, role, besides=assignment.pk)
        assignment.unit, assignment.role, assignment.via_group = unit, role, None
        assignment.save(update_fields=["unit", "role", "via_group"])
        audit(
            actor,
            "taskunit.update",
            assignment,
            task=assignment.task,
            before=before,
            after=_part(assignment),
        )
    return assignment


def task_unit_remove(actor: Actor, *, assignment_id: int) -> None:
    """Take a unit's part in a draft task away (kept in the task's history)."""
    _office(actor, _("only the rectification office assigns units"))
    with transaction.atomic():
        assignment = _draft_assignment(assignment_id)
        audit(
            actor,
            "taskunit.delete",
            assignment,
            task=assignment.task,
            before={**_part(assignment), "via_group": assignment.via_group_id},
        )
        assignment.delete()


def _person_values(text: str, unit_id: int | None, post: str, role: str) -> dict[str, Any]:
    text, post = text.strip(), post.strip()
    if not text:
        raise InvalidInput(_("a responsible person needs a text"), field="text")
    if len(text) > PERSON_TEXT_MAX:
        raise InvalidInput(_("at most %(n)s characters") % {"n": PERSON_TEXT_MAX}, field="text")
    if len(post) > PERSON_POST_MAX:
        raise InvalidInput(_("at most %(n)s characters") % {"n": PERSON_POST_MAX}, field="post")
    if role not in PersonRole.values:
        raise InvalidInput(_("no such part: %(role)s") % {"role": role}, field="role")
    unit = _unit(unit_id) if unit_id is not None else None
    return {"text": text, "unit": unit, "post": post, "role": role}


PERSON_FIELDS = ("text", "unit", "post", "role")


def task_person_add(
    actor: Actor,
    *,
    task_id: int,
    text: str,
    unit_id: int | None = None,
    post: str = "",
    role: str = PersonRole.RESPONSIBLE,
) -> TaskPerson:
    """Name a responsible person (责任人) of a draft task: the text as the plan would
    write it ("市生态环境局主要负责人"), with the unit and the post."""
    _office(actor, _("only the rectification office names responsible persons"))
    with transaction.atomic():
        task = _draft_task(task_id)
        person = TaskPerson.objects.create(task=task, **_person_values(text, unit_id, post, role))
        audit(actor, "taskperson.create", person, task=task, after=snapshot(person, PERSON_FIELDS))
    return person


def _draft_person(person_id: int) -> TaskPerson:
    task_id = TaskPerson.objects.filter(pk=person_id).values_list("task_id", flat=True).first()
    if task_id is None:
        raise NotFound(_("responsible person %(id)s does not exist") % {"id": person_id})
    task = _draft_task(task_id)
    person = TaskPerson.objects.get(pk=person_id)
    person.task = task
    return person


def task_person_change(
    actor: Actor,
    *,
    person_id: int,
    text: str,
    unit_id: int | None,
    post: str,
    role: str = PersonRole.RESPONSIBLE,
) -> TaskPerson:
    _office(actor, _("only the rectification office names responsible persons"))
    with transaction.atomic():
        person = _draft_person(person_id)
        before = snapshot(person, PERSON_FIELDS)
        for name, value in _person_values(text, unit_id, post, role).items():
            setattr(person, name, value)
        after = snapshot(person, PERSON_FIELDS)
        if before != after:
            person.save(update_fields=["text", "unit", "post", "role"])
            audit(actor, "taskperson.update", person, task=person.task, before=before, after=after)
    return person


def task_person_remove(actor: Actor, *, person_id: int) -> None:
    _office(actor, _("only the rectification office names responsible persons"))
    with transaction.atomic():
        person = _draft_person(person_id)
        audit(
            actor,
            "taskperson.delete",
            person,
            task=person.task,
            before=snapshot(person, PERSON_FIELDS),
        )
        person.delete()


def _events(
    actor: Actor, rows: list[tuple[str, str, int, int, dict[str, Any] | None, dict[str, Any]]]
) -> None:
    """Append many audit events at once (action, target type, target id, task id,
    before, after): the same rows `audit` writes one by one, for the plan-wide changes."""
    at = clock.now()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                at=at,
                actor_id=actor.user_id,
                actor_label=actor.label,
                action=action,
                target_type=target_type,
                target_id=target_id,
                task_id=task_id,
                before=before,
                after=after,
            )
            for action, target_type, target_id, task_id, before, after in rows
        ],
        batch_size=500,
    )


@dataclass
class DefaultOutcome:
    """What applying a default supervising unit did."""

    assigned: list[int] = field(default_factory=list)  # task numbers given the unit
    skipped: list[int] = field(default_factory=list)  # task numbers the unit is responsible for


def plan_supervisor_default(actor: Actor, *, plan_id: int, unit_id: int) -> DefaultOutcome:
    """Make `unit_id` the supervising unit (督导单位) of every task of a draft plan that has
    none — what holds when a plan names no supervisor: the body that runs the
    rectification (the leading group's office, 整改办) supervises. Tasks the unit is itself
    responsible for are left for the office to give another supervisor (reported back).
    One transaction, a few statements whatever the plan's size, one event per task and
    one for the plan."""
    _office(actor, _("only the rectification office assigns units"))
    with transaction.atomic():
        plan = lock_draft_plan(plan_id)
        unit = _unit(unit_id)
        tasks = Task.objects.filter(plan_id=plan.pk)
        without = list(
            tasks.exclude(assignments__role=AssignmentRole.SUPERVISING)
            .order_by("seq")
            .values_list("pk", "seq", "status")
        )
        responsible = set(
            TaskUnit.objects.filter(
                task__plan_id=plan.pk, unit=unit, role__in=RESPONSIBLE
            ).values_list("task_id", flat=True)
        )
        out = DefaultOutcome()
        new = []
        for pk, seq, status in without:
            if pk in responsible:
                out.skipped.append(seq)
                continue
            out.assigned.append(seq)
            new.append(
                TaskUnit(task_id=pk, unit=unit, role=AssignmentRole.SUPERVISING, task_status=status)
            )
        TaskUnit.objects.bulk_create(new, batch_size=500)
        created = dict(
            TaskUnit.objects.filter(
                task__plan_id=plan.pk, unit=unit, role=AssignmentRole.SUPERVISING
            ).values_list("task_id", "pk")
        )
        after = {"unit": unit.pk, "role": AssignmentRole.SUPERVISING, "default": True}
        _events(
            actor,
            [
                ("taskunit.create", "taskunit", created[a.task_id], a.task_id, None, after)
                for a in new
            ],
        )
        audit(
            actor,
            "plan.default_supervisor",
            plan,
            after={"unit": unit.pk, "assigned": len(out.assigned), "skipped": out.skipped},
        )
    return out


@dataclass
class NameDecision:
    """What deciding a name did."""

    text: str
    occurrences: int
    unit: Unit | None
    alias_added: bool = False


def proposal_name_decide(
    actor: Actor,
    *,
    plan_id: int,
    text: str,
    unit_id: int | None,
    alias: bool = False,
) -> NameDecision:
    """One decision on a unit name as written, for every undecided occurrence of it in a
    draft plan: each occurrence's task gets `unit_id` in the part the plan gave the name
    (lead, cooperating, supervising …), or (None) the name is dropped everywhere. With
    `alias`, the name becomes an alias of the unit in the registry, so the next import
    resolves it. One transaction, a few statements whatever the count; every occurrence
    is audited on its task like a one-by-one decision, and the whole on the plan."""
    _office(actor, _("only the rectification office decides unit names"))
    if alias and unit_id is None:
        raise InvalidInput(_("a dropped name cannot become an alias"), field="alias")
    with transaction.atomic():
        plan = lock_draft_plan(plan_id)
        unit = _unit(unit_id) if unit_id is not None else None
        proposals = list(
            UnitProposal.objects.select_for_update()
            .filter(task__plan_id=plan.pk, text=text, decided=False)
            .order_by("id")
        )
        if not proposals:
            raise InvalidInput(
                _("no occurrence of %(name)s awaits a decision in this plan") % {"name": text},
                field="text",
            )
        task_ids = {p.task_id for p in proposals}
        tasks = {t.pk: t for t in Task.objects.select_for_update().filter(pk__in=task_ids)}
        if unit is not None:
            TaskUnit.objects.bulk_create(
                [
                    TaskUnit(
                        task_id=p.task_id,
                        unit=unit,
                        role=p.role,
                        task_status=tasks[p.task_id].status,
                    )
                    for p in proposals
                ],
                ignore_conflicts=True,
                batch_size=500,
            )
        now = clock.now()
        UnitProposal.objects.filter(pk__in=[p.pk for p in proposals]).update(
            unit=unit, decided=True, decided_at=now, decided_by_id=actor.user_id
        )
        flag = f"{UNRESOLVED_FLAG}{text}"
        flagged = [t for t in tasks.values() if flag in t.flags]
        for task in flagged:
            task.flags = [f for f in task.flags if f != flag]
            task.updated_at = now
        Task.objects.bulk_update(flagged, ["flags", "updated_at"], batch_size=500)
        after = {"unit": unit.pk if unit else None, "dropped": unit is None, "by_name": True}
        _events(
            actor,
            [
                (
                    "unitproposal.decide",
                    "unitproposal",
                    p.pk,
                    p.task_id,
                    {"text": p.text, "role": p.role},
                    after,
                )
                for p in proposals
            ],
        )
        added = _alias_add(actor, unit, text) if alias and unit is not None else False
        audit(
            actor,
            "plan.decide_name",
            plan,
            after={
                "text": text,
                "unit": unit.pk if unit else None,
                "occurrences": len(proposals),
                "alias": added,
            },
        )
    return NameDecision(text=text, occurrences=len(proposals), unit=unit, alias_added=added)


def _alias_add(actor: Actor, unit: Unit, name: str) -> bool:
    """Record `name` as another name of `unit` through the registry's own service (False
    when it already is one of its names)."""
    name = " ".join(name.split())
    if (
        name in (unit.name, unit.full_name)
        or UnitAlias.objects.filter(unit=unit, name=name).exists()
    ):
        return False
    unit_alias_add(actor=actor, unit_id=unit.pk, name=name)
    return True
