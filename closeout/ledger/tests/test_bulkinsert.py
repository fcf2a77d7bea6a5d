"""`bulkinsert.insert` writes the rows `bulk_create` writes for the same values: defaults,
plain and prepared values (texts, integers, dates, times, JSON, NULLs), generated keys in
order, ignored conflicts; `insert_instances` returns instances as `bulk_create` leaves
them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import (
    AssignmentRole,
    AuditEvent,
    Plan,
    Problem,
    Role,
    Task,
    TaskUnit,
    Unit,
)
from closeout.ledger.services import bulkinsert

OFFICE = Actor(role=Role.OFFICE, label="test-office")
WHEN = timezone.make_aware(dt.datetime(2024, 6, 30, 9, 15, 30, 123456))


def _columns(model: type, exclude: set[str]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]


def _problem(title: str) -> Problem:
    plan = services.plan_create(actor=OFFICE, title=title, status="draft")
    return services.problem_create(actor=OFFICE, plan=plan, seq=1, title="问题")


def _task_rows(problem: Problem) -> list[dict]:
    base = {"plan_id": problem.plan_id, "problem_id": problem.pk, "inspection_id": None}
    return [
        {**base, "seq": 1, "text": "道路洒水", "measures": ["洒水", "围挡"],
         "due_date": dt.date(2024, 12, 31), "immediate": True, "flags": ["x: 1"],
         "last_reported_at": WHEN, "span_start": 0, "span_end": 12, "progress": 40},
        {**base, "seq": 2, "text": "拆除违建", "target": "拆除到位", "deadline_raw": "长期坚持",
         "ongoing": True},
        {**base, "seq": 3, "text": "全面淘汰10蒸吨以下燃煤锅炉", "measures": [],
         "acceptance_criteria": "", "due_date": None},
    ]  # fmt: skip


def test_insert_writes_the_rows_bulk_create_writes(db):
    one, other = _problem("bulk_create"), _problem("insert")
    made = Task.objects.bulk_create([Task(**row) for row in _task_rows(one)])
    keys = bulkinsert.insert(Task, _task_rows(other))
    drop = {"id", "plan_id", "problem_id", "created_at", "updated_at"}
    names = _columns(Task, drop)
    expected = list(Task.objects.filter(plan=one.plan).order_by("seq").values_list(*names))
    got = list(Task.objects.filter(plan=other.plan).order_by("seq").values_list(*names))
    assert got == expected
    assert keys == list(
        Task.objects.filter(plan=other.plan).order_by("seq").values_list("pk", flat=True)
    )
    assert len(keys) == len(made) == 3
    # auto_now and auto_now_add are the time of the insert, as pre_save gives them
    times = Task.objects.filter(pk__in=keys).values_list("created_at", "updated_at")
    assert all(abs(a - timezone.now()) < dt.timedelta(minutes=5) and b >= a for a, b in times)


def test_insert_instances_are_saved_instances_with_their_defaults(db):
    problem = _problem("instances")
    tasks = bulkinsert.insert_instances(Task, _task_rows(problem))
    stored = {t.pk: t for t in Task.objects.filter(plan=problem.plan)}
    names = _columns(Task, set())
    for task in tasks:
        assert not task._state.adding and task._state.db == "default"
        assert [getattr(task, n) for n in names] == [getattr(stored[task.pk], n) for n in names]
    assert tasks[1].acceptance_criteria == Task._meta.get_field("acceptance_criteria").default
    assert tasks[1].measures == [] and tasks[1].status == "draft" and tasks[1].progress == 0


@pytest.mark.parametrize("arrays", [True, False])
def test_insert_writes_audit_events_with_json_and_nulls_as_bulk_create(db, arrays):
    rows = [
        {"at": WHEN, "actor_id": None, "actor_label": "a", "action": "x.create",
         "target_type": "task", "target_id": 7, "task_id": None, "before": None,
         "after": {"text": "任务", "units": [[1, "lead"]], "none": None}, "note": "台账 第7行"},
        {"at": WHEN, "actor_label": "b", "action": "x.create", "target_type": "task",
         "after": [], "before": {}},
    ]  # fmt: skip
    AuditEvent.objects.bulk_create([AuditEvent(**row) for row in rows])
    bulkinsert.insert(AuditEvent, rows, arrays=arrays)
    names = _columns(AuditEvent, {"id"})
    events = list(AuditEvent.objects.filter(action="x.create").order_by("pk").values_list(*names))
    assert events[2:] == events[:2]
    assert events[0][names.index("after")]["none"] is None
    assert events[1][names.index("before")] == {} and events[1][names.index("after")] == []


def test_insert_ignores_conflicts_as_bulk_create(db):
    problem = _problem("conflicts")
    (task,) = bulkinsert.insert_instances(Task, _task_rows(problem)[:1])
    unit = Unit.objects.create(name="市环保局")
    row = {"task_id": task.pk, "unit_id": unit.pk, "role": AssignmentRole.LEAD}
    assert bulkinsert.insert(TaskUnit, [row, row], ignore_conflicts=True) == []
    assert TaskUnit.objects.filter(task=task).count() == 1
    assert TaskUnit.objects.get(task=task).task_status == ""  # the field's default


def test_insert_takes_more_rows_than_one_statement_holds(db):
    problem = _problem("many")
    base = {"plan_id": problem.plan_id, "problem_id": problem.pk}
    keys = bulkinsert.insert(Task, [{**base, "seq": i, "text": f"任务{i}"} for i in range(1, 701)])
    seqs = dict(Task.objects.filter(plan=problem.plan).values_list("pk", "seq"))
    assert [seqs[k] for k in keys] == list(range(1, 701))


def test_insert_refuses_a_field_the_model_does_not_have(db):
    with pytest.raises(TypeError, match="unknown fields"):
        bulkinsert.insert(Plan, [{"title": "方案", "no_such_field": 1}])
    assert not Plan.objects.exists()
