"""The close-out steps declared once (`services.closeouts.STEPS`), and the data of each
step validated against its schema: a number is not a date, a list is not a text, an
object is not a string, a required field is required and an unknown one is refused, each
with an error naming the field. The API's and the pages' side of the same rule is in
closeout/api/tests/test_loop_api.py and closeout/web/tests/test_loop_pages.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.utils import translation

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput
from closeout.ledger.models import AuditEvent, CloseoutStep, Role, StepKind, Task
from closeout.ledger.rules.workflow import TRANSITIONS, Status
from closeout.ledger.services.closeouts import FIELD_LABELS, STEP_BY_NAME, STEPS
from closeout.ledger.tests.factories import PDF
from closeout.ledger.tests.stepcases import FROM, MISSING, VALID, WRONG_CASES

OFFICE = Actor(role=Role.OFFICE, label="office")


def test_every_transition_has_exactly_one_step_declaration():
    names = Counter(step.name for step in STEPS)
    assert names == Counter(list(TRANSITIONS)), "one Step per transition of the state table"


def test_every_kind_of_close_out_step_is_recorded_by_exactly_one_step():
    kinds = Counter(step.kind for step in STEPS if step.kind is not None)
    assert kinds == Counter(StepKind.values)


def test_the_cases_cover_every_field_of_every_schema():
    fields = {(s.name, f) for s in STEPS for f in s.schema.model_fields}
    assert fields == {(name, field) for name, field, _ in WRONG_CASES}
    assert fields >= {("request_closeout", "assessment"), ("verify", "checked_on")}


def refused(name: str, data: Any, field: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as err:
        services.step_data(name, data)
    assert err.value.field == field, err.value.message
    return err.value


@pytest.mark.parametrize(
    ("name", "field", "value"), WRONG_CASES, ids=[f"{n}-{f}-{v!r}" for n, f, v in WRONG_CASES]
)
def test_a_value_of_the_wrong_type_is_refused_naming_its_field(name, field, value):
    with translation.override("en"):
        error = refused(name, {**VALID.get(name, {}), field: value}, field)
        assert str(FIELD_LABELS[field]) in error.message


@pytest.mark.parametrize(("name", "field"), MISSING)
def test_a_required_field_is_required(name, field):
    data = {k: v for k, v in VALID[name].items() if k != field}
    with translation.override("en"):
        error = refused(name, data, field)
    assert "is required" in error.message


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_an_unknown_field_is_refused_by_every_step(name):
    with translation.override("en"):
        error = refused(name, {**VALID.get(name, {}), "inspector": "张三"}, "inspector")
    assert "inspector" in error.message


@pytest.mark.parametrize("data", [["checked_on"], "2025-06-09", 5])
def test_data_that_is_not_an_object_is_refused(data):
    refused("verify", data, "data")


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_valid_data_passes_and_no_data_is_an_empty_object(name):
    parsed = services.step_data(name, VALID.get(name, {}))
    assert set(parsed.model_dump(exclude_unset=True)) == set(VALID.get(name, {}))
    if name not in {"request_closeout", "verify"}:
        assert services.step_data(name, None) == services.step_data(name, {})


def test_dates_come_as_iso_text_or_as_dates_and_texts_are_trimmed():
    on_a_form = {"checked_on": dt.date(2025, 6, 9), "inspectors": " 张三 "}
    given = services.step_data("verify", on_a_form)
    assert (given.checked_on, given.inspectors) == (dt.date(2025, 6, 9), "张三")
    assert services.step_data("verify", VALID["verify"]).checked_on == dt.date(2025, 6, 9)
    too_long = {"checked_on": "2025-06-09", "inspectors": "张" * 301}
    with translation.override("en"):
        assert "longer than 300" in refused("verify", too_long, "inspectors").message


# --- through the service: nothing is written ------------------------------------------


def _put(task: Task, state: str) -> Task:
    Task.objects.filter(pk=task.pk).update(status=state)
    return Task.objects.get(pk=task.pk)


SERVICE_CASES = [
    *WRONG_CASES,
    *((name, field, "missing") for name, field in MISSING),
    *((name, "inspector", "张三") for name in TRANSITIONS),  # unknown to every step
]


@pytest.mark.parametrize(
    ("name", "field", "value"), SERVICE_CASES, ids=[f"{n}-{f}-{v!r}" for n, f, v in SERVICE_CASES]
)
def test_the_transition_refuses_wrong_data_and_writes_nothing(world, name, field, value):
    task = _put(world.own, FROM[name])
    data = {**VALID.get(name, {}), field: value}
    if value == "missing":
        del data[field]
    before = (CloseoutStep.objects.count(), AuditEvent.objects.count())
    files = [services.Upload("evidence.pdf", PDF)] if name == "request_closeout" else []
    with pytest.raises(InvalidInput) as err:
        services.task_transition(
            actor=OFFICE, task_id=task.pk, name=name, note="核查属实", data=data, files=files
        )
    assert err.value.field == field
    assert Task.objects.get(pk=task.pk).status == FROM[name]
    assert (CloseoutStep.objects.count(), AuditEvent.objects.count()) == before


def test_the_transition_records_what_the_schema_let_through(world):
    task = _put(world.own, Status.VERIFICATION)
    services.task_transition(
        actor=OFFICE,
        task_id=task.pk,
        name="verify",
        note="核查属实",
        data={"checked_on": "2025-06-09", "inspectors": "  市督导组 张三  "},
    )
    step = CloseoutStep.objects.get(task=task)
    assert step.data == {"checked_on": "2025-06-09", "inspectors": "市督导组 张三"}


def test_the_declarations_are_looked_up_by_name():
    assert STEP_BY_NAME["verify"].kind == StepKind.VERIFY
    assert STEP_BY_NAME["confirm"].kind is None and not STEP_BY_NAME["confirm"].takes_files
