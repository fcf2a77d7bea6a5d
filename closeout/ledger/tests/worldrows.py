"""`build_world` a table at a time: the rows the services write for the world, in a dozen
statements instead of some 150.

Every test of the ledger, the API and the pages starts from the world (see `factories`),
so its cost is paid some 1,500 times a run. The services write it one call at a time,
each in its own savepoint, with the reads a service needs to check its input and the
refreshes a transition makes (`unit_create` reads the parent's path back, `user_create`
asks whether the name is taken, `task_transition` locks the row, recounts the missed
reports and recomputes the schedule bucket). Here the same rows go in one insert per
table (two statements for the units, whose paths hold their own ids), with the values
the services would give them: the bucket and the run of missed reports by the services'
own rules (`taskstate.bucket_of`, `cycles.missed_run`), the audit events by
`audit.audit_values`, in the order the services append them, so that ids come in the
same order too. The objects handed back are in the state the services leave theirs
(the same related objects cached), the confirmed tasks read back from the database as
`build_world` refreshes them.

`test_world_rows` holds this to `build_world(fast=False)`: the same rows in every table,
ids included, and the same objects, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from closeout.ledger.models import (
    AuditEvent,
    Profile,
    Role,
    Task,
    TaskPerson,
    TaskState,
    TaskUnit,
    Unit,
    UnitAlias,
)
from closeout.ledger.rules import cycles
from closeout.ledger.rules.workflow import REPORTING_STATES, Status
from closeout.ledger.services import bulkinsert
from closeout.ledger.services.audit import audit_values, snapshot
from closeout.ledger.services.tasks import TASK_EDITABLE_FIELDS
from closeout.ledger.services.taskstate import bucket_of
from closeout.ledger.tests import factories as f


def world_by_rows(status: str) -> f.World:
    """The world `factories.build_world` makes, its rows written a table at a time."""
    office = f.OFFICE
    events: list[dict[str, Any]] = []
    with transaction.atomic():
        units = _units(events)
        plan = f.PlanFactory(published=True)
        problem = f.ProblemFactory(plan=plan, seq=1)
        tasks = _tasks(office, problem, units, status != "draft", events)
        users = _users(office, units, events)
        bulkinsert.insert(AuditEvent, events, arrays=False)
    return f.World(*(units[name] for name, *_ in f.WORLD_UNITS), plan, *tasks, users)


def _units(events: list[dict[str, Any]]) -> dict[str, Unit]:
    """`unit_create` for each unit of the world: the rows, their paths, the former names."""
    # The parents' ids are known only once they are in: the rows go in without their
    # parents, which one update then sets with the paths (which hold the rows' own ids).
    units = {
        name: Unit(name=text.strip(), full_name="", kind=kind, level=level, code="", path="")
        for name, text, kind, level, *_ in f.WORLD_UNITS
    }
    Unit.objects.bulk_create(units.values())
    for name, *_, parent, _former in f.WORLD_UNITS:  # parents come first
        unit = units[name]
        unit.parent = units[parent] if parent else None
        up = unit.parent
        unit.path = f"{up.path}{unit.pk}/" if up else f"/{unit.pk}/"
        unit.depth = up.depth + 1 if up else 0
    _place(list(units.values()))
    bulkinsert.insert(
        UnitAlias,
        [
            {"unit_id": units[name].pk, "name": alias, "former": True}
            for name, *_, former in f.WORLD_UNITS
            for alias in former
        ],
    )
    for name, *_, parent, former in f.WORLD_UNITS:
        unit = units[name]
        after = {
            "name": unit.name,
            "parent": units[parent].pk if parent else None,
            "aliases": [],
            "former_names": list(former),
        }
        events.append(audit_values(f.SYSTEM, "unit.create", unit, after=after))
    return units


def _place(units: list[Unit]) -> None:
    """Store the units' parents, paths and depths in one UPDATE, a CASE on the id per
    column: what `bulk_update` writes, without the expressions it builds for each value
    (which cost more than all the inserts of the world)."""
    qn = connection.ops.quote_name
    pk = qn(Unit._meta.pk.column)
    sets, params = [], []
    for name in ("parent", "path", "depth"):
        field = Unit._meta.get_field(name)
        whens = " ".join(["WHEN %s THEN %s"] * len(units))
        sets.append(f"{qn(field.column)} = CASE {pk} {whens} END")
        params += [v for u in units for v in (u.pk, getattr(u, field.attname))]
    ids = ", ".join(["%s"] * len(units))
    params += [u.pk for u in units]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(Unit._meta.db_table)} SET {', '.join(sets)} WHERE {pk} IN ({ids})", params
        )


def _tasks(
    office: Any, problem: Any, units: dict[str, Unit], confirm: bool, events: list[dict[str, Any]]
) -> list[Task]:
    """`task_create` for the three tasks, then the office's `confirm` of each."""
    specs = [
        f.task_inputs(problem, seq, units[lead], units[supervisor])
        for seq, lead, supervisor in f.WORLD_TASKS
    ]
    tasks = [
        Task(
            plan_id=problem.plan_id,
            problem=problem,
            inspection_id=problem.inspection_id,
            seq=spec["seq"],
            text=spec["text"],
            **spec["fields"],
        )
        for spec in specs
    ]
    created = [snapshot(task, ("seq", "status", *TASK_EDITABLE_FIELDS)) for task in tasks]
    if confirm:
        for task in tasks:
            task.status = Status.IN_PROGRESS
    Task.objects.bulk_create(tasks)
    states = []
    for task in tasks:
        state = TaskState(task=task)
        if confirm:
            owes = task.status in REPORTING_STATES
            run = cycles.missed_run([], last_reported=task.last_report_period, owes=owes)
            state.missed_reports, state.missed_since = run.count, run.since
            state.bucket = bucket_of(task, (), state.missed_reports)
        states.append(state)
    TaskState.objects.bulk_create(states)
    bulkinsert.insert(
        TaskUnit,
        [
            {"task_id": task.pk, "unit_id": u.unit.pk, "role": u.role,
             "task_status": task.status, "via_group_id": u.via_group_id}
            for task, spec in zip(tasks, specs, strict=True)
            for u in spec["units"]
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    bulkinsert.insert(
        TaskPerson,
        [
            {"task_id": task.pk, "role": p.role, "text": p.text,
             "unit_id": p.unit.pk if p.unit is not None else None, "post": p.post}
            for task, spec in zip(tasks, specs, strict=True)
            for p in spec["persons"]
        ],
    )  # fmt: skip
    for task, spec, after in zip(tasks, specs, created, strict=True):
        after = {
            **after,
            "units": [[u.unit.pk, u.role] for u in spec["units"]],
            "persons": [p.text for p in spec["persons"]],
        }
        events.append(audit_values(office, "task.create", task, task_id=task.pk, after=after))
    if not confirm:
        return tasks
    for task in tasks:
        events.append(
            audit_values(
                office,
                "task.confirm",
                task,
                task_id=task.pk,
                before={"status": Status.DRAFT},
                after={"status": task.status},
            )
        )
    # As `build_world` leaves them: read back after the transition.
    return list(Task.objects.filter(pk__in=[t.pk for t in tasks]).order_by("pk"))


def _users(office: Any, units: dict[str, Unit], events: list[dict[str, Any]]) -> dict[str, Any]:
    """`user_create` for each login of the world, with the test password."""
    User = get_user_model()
    specs = [(name, role, units[unit] if unit else None) for name, role, unit in f.WORLD_USERS]
    users = {
        name: User(
            username=User.normalize_username(name),
            email="",
            password=make_password(f.PASSWORD),
            is_staff=(role == Role.OFFICE),
            is_superuser=False,
        )
        for name, role, _ in specs
    }
    User.objects.bulk_create(users.values())
    profiles = Profile.objects.bulk_create(
        Profile(user=users[name], role=role, unit=unit, display_name="")
        for name, role, unit in specs
    )
    for profile, (name, role, unit) in zip(profiles, specs, strict=True):
        after = {"username": name, "role": role, "unit": unit.pk if unit else None}
        events.append(audit_values(office, "user.create", profile, after=after))
    return users
