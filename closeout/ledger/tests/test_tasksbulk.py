"""The plan import's bulk writers give exactly the rows and events of the services one at
a time: `problems_create_many` those of `problem_create`, `tasks_create_many` those of
`task_create`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import translation

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotPermitted
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    Milestone,
    PersonRole,
    Plan,
    Role,
    Task,
    TaskPerson,
    TaskState,
    TaskUnit,
    Unit,
)
from closeout.ledger.services import tasksbulk
from closeout.ledger.services.tasks import PersonRef, UnitRef
from closeout.ledger.services.tasksbulk import ProblemSpec, TaskSpec

OFFICE = Actor(role=Role.OFFICE, label="test-office")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


PROBLEMS = [(1, "扬尘污染", {"number": "1", "outline_path": ["大气"], "span_start": 0,
                             "span_end": 40}),
            (2, "水源地违建", {"number": "", "outline_path": [], "span_start": 41,
                              "span_end": 80})]  # fmt: skip


def _tasks(units: list[Unit]) -> list[tuple[int, int, str, list, list, dict, list]]:
    lead, coop = units
    return [
        (0, 1, "道路洒水", [UnitRef(lead), UnitRef(coop, AssignmentRole.COOP)],
         [PersonRef("市环保局主要负责人", PersonRole.RESPONSIBLE, lead, "主要负责人")],
         {"target": "降尘", "measures": ["道路洒水"], "deadline_raw": "2019年底",
          "due_date": dt.date(2019, 12, 31), "flags": ["missing_deadline: x"], "span_start": 0,
          "span_end": 20},
         [("完成排查", dt.date(2019, 6, 30), 50), ("完成整治", dt.date(2019, 12, 31), 100)]),
        (0, 2, "工地围挡", [UnitRef(lead)], [], {"immediate": True, "ongoing": True}, []),
        (1, 3, "拆除违建", [], [], {"span_start": 41, "span_end": 80}, []),
    ]  # fmt: skip


def _plan(title: str) -> Plan:
    return services.plan_create(actor=OFFICE, title=title, status="draft")


def _rows(plan: Plan) -> dict[str, list]:
    tasks = Task.objects.filter(plan=plan).order_by("seq")
    drop = {"id", "plan", "problem", "created_at", "updated_at"}
    names = [f.attname for f in Task._meta.concrete_fields if f.name not in drop]
    return {
        "tasks": list(tasks.values_list(*names)),
        "problems": [(p.seq, p.title, p.number, p.outline_path, p.span_start, p.span_end)
                     for p in plan.problems.order_by("seq")],
        "states": list(TaskState.objects.filter(task__plan=plan).order_by("task__seq")
                       .values_list("task__seq", "bucket", "missed_reports")),
        "units": sorted(TaskUnit.objects.filter(task__plan=plan)
                        .values_list("task__seq", "unit_id", "role", "task_status", "via_group")),
        "persons": sorted(TaskPerson.objects.filter(task__plan=plan)
                          .values_list("task__seq", "role", "text", "unit_id", "post")),
        "milestones": sorted(Milestone.objects.filter(task__plan=plan).values_list(
            "task__seq", "seq", "title", "due_date", "expected_progress", "reached_on")),
        "events": sorted(
            (
                (e.action, e.target_type, e.actor_label, e.before,
                 {k: v for k, v in (e.after or {}).items() if k != "plan"})
                for e in AuditEvent.objects.filter(
                    Q(action="task.create", target_id__in=tasks.values("pk"))
                    | Q(action="problem.create", target_id__in=plan.problems.values("pk"))
                )
            ),
            key=repr,
        ),
    }  # fmt: skip


def test_the_bulk_writers_give_the_rows_and_events_of_one_at_a_time(db):
    units = [Unit.objects.create(name="市环保局"), Unit.objects.create(name="市公安局")]
    one = _plan("one at a time")
    problems = [services.problem_create(actor=OFFICE, plan=one, seq=seq, title=title, **fields)
                for seq, title, fields in PROBLEMS]  # fmt: skip
    for p, seq, text, unit_refs, persons, fields, milestones in _tasks(units):
        services.task_create(actor=OFFICE, problem=problems[p], seq=seq, text=text,
                             units=unit_refs, persons=persons, milestones=milestones,
                             **fields)  # fmt: skip
    bulk = _plan("in sets")
    made = tasksbulk.problems_create_many(
        actor=OFFICE, plan=bulk, specs=[ProblemSpec(s, t, f) for s, t, f in PROBLEMS]
    )
    tasksbulk.tasks_create_many(
        actor=OFFICE, specs=[TaskSpec(made[p], *rest) for p, *rest in _tasks(units)]
    )
    expected, got = _rows(one), _rows(bulk)
    for part in expected:
        assert got[part] == expected[part], part
    assert len(expected["events"]) == 5 and len(expected["milestones"]) == 2


def test_the_bulk_writers_refuse_what_the_services_refuse(db):
    plan = _plan("refused")
    (problem,) = tasksbulk.problems_create_many(
        actor=OFFICE, plan=plan, specs=[ProblemSpec(1, "问题")]
    )
    with pytest.raises(InvalidInput, match="a task needs a text"):
        tasksbulk.tasks_create_many(actor=OFFICE, specs=[TaskSpec(problem, 1, "  ")])
    with pytest.raises(InvalidInput, match="unknown task fields: progress"):
        tasksbulk.tasks_create_many(
            actor=OFFICE, specs=[TaskSpec(problem, 1, "任务", fields={"progress": 5})]
        )
    unit = Actor(role=Role.UNIT, label="a unit")
    with pytest.raises(NotPermitted):
        tasksbulk.tasks_create_many(actor=unit, specs=[TaskSpec(problem, 1, "任务")])
    with pytest.raises(NotPermitted):
        tasksbulk.problems_create_many(actor=unit, plan=plan, specs=[ProblemSpec(2, "问题")])
    assert not Task.objects.exists()
