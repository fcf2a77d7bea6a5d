"""Test data: factories and `build_world`, a small ledger whose every relation is known.

The world:
    济南市 (region)
      市生态环境局 (dept)   ── lead of task `own`; supervisor-free
      市城乡水务局 (dept)   ── lead of task `foreign`
      历城区 (region)
        历城区政府 (government)
          历城区生态环境分局 (dept) ── lead of task `child`
      市督导组 (group office)  ── supervises `own` and `child`
      市审计局 (dept)          ── supervises `foreign`
Users: office, leader, unit_env (市生态环境局), unit_licheng (历城区政府: parent of the
lead of `child`), unit_water (市城乡水务局), supervisor (市督导组), supervisor_audit (市审计局).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AssignmentRole,
    Inspection,
    InspectionKind,
    Plan,
    Problem,
    Role,
    Task,
    Unit,
    UnitKind,
    UnitLevel,
)
from closeout.ledger.services import PersonRef, UnitRef

SYSTEM = Actor.system("test")

# Which tasks of the world each user may see (the public: the plan is published and the
# tasks are confirmed). The rules, API and page tests all check against this one table.
VISIBLE = {
    "office": {"own", "child", "foreign"},
    "leader": {"own", "child", "foreign"},
    "unit_env": {"own"},
    "unit_licheng": {"child"},  # a unit below 历城区政府 leads it
    "unit_water": {"foreign"},
    "supervisor": {"own", "child"},
    "supervisor_audit": {"foreign"},
    "public": {"own", "child", "foreign"},
}
SIGNED_IN_VISIBLE = {user: tasks for user, tasks in VISIBLE.items() if user != "public"}
PASSWORD = "pass-for-tests"


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    kind = InspectionKind.CENTRAL
    round = 1
    name = factory.Sequence(lambda n: f"中央第{n + 1}生态环境保护督察组督察")
    feedback_on = dt.date(2017, 12, 29)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    title = factory.Sequence(lambda n: f"整改方案{n}")
    issuer = "济南市人民政府"
    issued_on = dt.date(2018, 6, 29)
    status = "confirmed"


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    plan = factory.SubFactory(PlanFactory)
    seq = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"反馈问题{n + 1}")


def unit(name: str, kind: str, level: str, parent: Unit | None = None, **kw: Any) -> Unit:
    return services.unit_create(
        actor=SYSTEM, name=name, kind=kind, level=level, parent=parent, **kw
    )


@dataclass
class World:
    city: Unit
    env: Unit
    water: Unit
    district: Unit
    district_gov: Unit
    district_env: Unit
    supervising: Unit
    audit: Unit
    plan: Plan
    own: Task
    child: Task
    foreign: Task
    users: dict[str, Any]

    def actor(self, name: str) -> Actor:
        if name == "public":
            return Actor.of(None)
        return Actor.of(self.users[name])


def task_inputs(
    problem: Problem, seq: int, lead: Unit, supervisor: Unit | None = None, **fields: Any
) -> dict[str, Any]:
    """What `make_task` gives `task_create`: the task's text, units, person and fields."""
    units = [UnitRef(lead, AssignmentRole.LEAD)]
    if supervisor is not None:
        units.append(UnitRef(supervisor, AssignmentRole.SUPERVISING))
    fields.setdefault("deadline_raw", "2020年年底")
    fields.setdefault("due_date", dt.date(2020, 12, 31))
    fields.setdefault("start_date", dt.date(2018, 7, 2))
    return {
        "seq": seq,
        "text": fields.pop("text", f"整改任务{seq}:加强饮用水水源保护"),
        "units": units,
        "persons": [PersonRef(f"{lead.name}主要负责人", unit=lead, post="主要负责人")],
        "fields": fields,
    }


def make_task(
    problem: Problem, seq: int, lead: Unit, supervisor: Unit | None = None, **fields: Any
) -> Task:
    spec = task_inputs(problem, seq, lead, supervisor, **fields)
    return services.task_create(
        actor=Actor(role=Role.OFFICE, label="test-office"),
        problem=problem,
        seq=spec["seq"],
        text=spec["text"],
        units=spec["units"],
        persons=spec["persons"],
        **spec["fields"],
    )


def make_users(actor: Actor, **specs: tuple[str, Unit | None]) -> dict[str, Any]:
    """Logins named by keyword, each `(role, unit)`, all with the test password."""
    return {
        name: services.user_create(
            actor=actor, username=name, password=PASSWORD, role=role, unit=unit
        )
        for name, (role, unit) in specs.items()
    }


# The world as data, for `worldrows` (which writes it a table at a time): the units in
# the order of `World`'s fields, (field, name, kind, level, parent's field, former names);
# the tasks (seq, lead's field, supervisor's field); the logins (name, role, unit's field).
# `_world_by_services` spells the same world out call by call; a test holds them together.
OFFICE = Actor(role=Role.OFFICE, label="test-office")
WORLD_UNITS: tuple[tuple[str, str, str, str, str | None, tuple[str, ...]], ...] = (
    ("city", "济南市", UnitKind.REGION, UnitLevel.CITY, None, ()),
    ("env", "市生态环境局", UnitKind.DEPARTMENT, UnitLevel.CITY, "city", ("市环保局",)),
    ("water", "市城乡水务局", UnitKind.DEPARTMENT, UnitLevel.CITY, "city", ()),
    ("district", "历城区", UnitKind.REGION, UnitLevel.COUNTY, "city", ()),
    ("district_gov", "历城区政府", UnitKind.GOVERNMENT, UnitLevel.COUNTY, "district", ()),
    (
        "district_env",
        "历城区生态环境分局",
        UnitKind.DEPARTMENT,
        UnitLevel.COUNTY,
        "district_gov",
        (),
    ),
    ("supervising", "市督导组", UnitKind.GROUP_OFFICE, UnitLevel.CITY, "city", ()),
    ("audit", "市审计局", UnitKind.DEPARTMENT, UnitLevel.CITY, "city", ()),
)
WORLD_TASKS = ((1, "env", "supervising"), (2, "district_env", "supervising"), (3, "water", "audit"))
WORLD_USERS: tuple[tuple[str, str, str | None], ...] = (
    ("office", Role.OFFICE, None),
    ("leader", Role.LEADER, None),
    ("unit_env", Role.UNIT, "env"),
    ("unit_licheng", Role.UNIT, "district_gov"),
    ("unit_water", Role.UNIT, "water"),
    ("supervisor", Role.SUPERVISOR, "supervising"),
    ("supervisor_audit", Role.SUPERVISOR, "audit"),
)


def build_world(*, status: str = "in_progress", fast: bool = True) -> World:
    """The world (see the module), its tasks confirmed unless `status` is "draft".

    `fast` writes the rows the services would write, a table at a time (`worldrows`);
    `fast=False` calls the services one by one. A test holds the two to the same rows in
    every table and the same objects, on SQLite and PostgreSQL."""
    if fast:
        from closeout.ledger.tests.worldrows import world_by_rows

        return world_by_rows(status)
    return _world_by_services(status)


def _world_by_services(status: str) -> World:
    """The world as the services write it, one call at a time (`build_world(fast=False)`)."""
    office = Actor(role=Role.OFFICE, label="test-office")
    city = unit("济南市", UnitKind.REGION, UnitLevel.CITY)
    env = unit("市生态环境局", UnitKind.DEPARTMENT, UnitLevel.CITY, city, former_names=["市环保局"])
    water = unit("市城乡水务局", UnitKind.DEPARTMENT, UnitLevel.CITY, city)
    district = unit("历城区", UnitKind.REGION, UnitLevel.COUNTY, city)
    district_gov = unit("历城区政府", UnitKind.GOVERNMENT, UnitLevel.COUNTY, district)
    district_env = unit("历城区生态环境分局", UnitKind.DEPARTMENT, UnitLevel.COUNTY, district_gov)
    supervising = unit("市督导组", UnitKind.GROUP_OFFICE, UnitLevel.CITY, city)
    audit_unit = unit("市审计局", UnitKind.DEPARTMENT, UnitLevel.CITY, city)
    plan = PlanFactory(published=True)
    problem = ProblemFactory(plan=plan, seq=1)
    own = make_task(problem, 1, env, supervising)
    child = make_task(problem, 2, district_env, supervising)
    foreign = make_task(problem, 3, water, audit_unit)
    if status != "draft":
        for task in (own, child, foreign):
            services.task_transition(actor=office, task_id=task.pk, name="confirm")
            task.refresh_from_db()
    users = make_users(
        office,
        office=(Role.OFFICE, None),
        leader=(Role.LEADER, None),
        unit_env=(Role.UNIT, env),
        unit_licheng=(Role.UNIT, district_gov),
        unit_water=(Role.UNIT, water),
        supervisor=(Role.SUPERVISOR, supervising),
        supervisor_audit=(Role.SUPERVISOR, audit_unit),
    )
    return World(
        city,
        env,
        water,
        district,
        district_gov,
        district_env,
        supervising,
        audit_unit,
        plan,
        own,
        child,
        foreign,
        users,
    )


# A minimal PDF: evidence files are sniffed, so test files must be real of their kind.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def step_inputs(task: Any, name: str) -> dict[str, Any]:
    """What a close-out step needs besides its note: the self-assessment and an evidence
    file for a request, the on-site check for a verification (see services/closeouts)."""
    from closeout.ledger import clock

    if name == "request_closeout":
        criteria = services.acceptance_criteria(task)
        return {
            "data": {"assessment": {c: f"{c}: done" for c in criteria}},
            "files": [services.Upload("evidence.pdf", PDF)],
        }
    if name == "verify":
        return {"data": {"checked_on": clock.today(), "inspectors": "inspection team"}}
    return {}


def take(actor: Actor, task: Any, name: str, note: str = "") -> Any:
    """Take a transition with whatever its step requires filled in plausibly; notes are
    supplied for the steps that need a reason or findings."""
    from closeout.ledger.models import Task

    task = Task.objects.get(pk=task.pk if hasattr(task, "pk") else task)
    if not note and name in {"send_back", "reopen", "cancel", "verify"}:
        note = f"{name}: reason"
    return services.task_transition(
        actor=actor, task_id=task.pk, name=name, note=note, **step_inputs(task, name)
    )


def walk(actor_for: Any, task: Any, *names: str) -> Any:
    """Take several transitions in a row; `actor_for(name)` gives the actor of each.
    end_notice is taken once the notice is over (the clock is moved past it)."""
    from closeout.ledger import clock
    from closeout.ledger.models import Task

    result = None
    for name in names:
        if name == "end_notice":
            until = Task.objects.get(pk=task.pk).notice_until
            if until is not None and clock.today() <= until:
                with clock.frozen_at(until + dt.timedelta(days=1)):
                    result = take(actor_for(name), task, name)
                continue
        result = take(actor_for(name), task, name)
    return result
