"""The pages' forms agree with the rules of entered input: every text field's
`max_length` (and the `maxlength` the browser gets) is its `rules.limits` limit; a
falling progress asks for a reason at the reason field and shows it in the history; an
out-of-range date is refused at its field (report period, the review page's dates); and
each role has one action per open measure (the unit responds, the office lifts)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.urls import reverse

from closeout.ledger import clock, services
from closeout.ledger.access import Actor
from closeout.ledger.models import Escalation, Plan, ProgressReport, Task
from closeout.ledger.rules import limits
from closeout.ledger.rules.workflow import transition_rules
from closeout.web import forms as page_forms
from closeout.web.reviewforms import TaskFieldsForm

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 9)  # a Monday


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(DAY):
        yield


def _login(client, world, role):
    client.force_login(world.users[role])
    return client


def _detail(task):
    return reverse("web:task_detail", args=[task.pk])


def _report(task):
    return reverse("web:task_report", args=[task.pk])


def _step_form(world, name):
    task = Task.objects.get(pk=world.own.pk)
    return page_forms.transition_form(transition_rules()[name], task)


# --- the forms' limits are the rules' -------------------------------------------------

FORM_LIMITS = [
    (lambda w: page_forms.ReportForm(task=w.own), "text", limits.REPORT_TEXT),
    (lambda w: page_forms.ReportForm(task=w.own), "reason", limits.FALL_REASON),
    (lambda w: _step_form(w, "send_back"), "note", limits.STEP_NOTE),
    (lambda w: _step_form(w, "request_closeout"), "assessment_0", limits.ASSESSMENT),
    (lambda w: _step_form(w, "verify"), "note", limits.STEP_NOTE),
    (lambda w: _step_form(w, "verify"), "inspectors", limits.INSPECTORS),
    (lambda w: _step_form(w, "file"), "number", limits.FILING_NUMBER),
    (lambda w: page_forms.ObjectionForm(), "text", limits.OBJECTION_TEXT),
    (lambda w: page_forms.ObjectionForm(), "name", limits.OBJECTOR_NAME),
    (lambda w: page_forms.ObjectionForm(), "contact", limits.OBJECTOR_CONTACT),
    (lambda w: page_forms.AnswerForm(), "answer", limits.ANSWER),
    (lambda w: page_forms.SpamForm(), "reason", limits.SPAM_REASON),
    (lambda w: page_forms.LookbackForm(), "findings", limits.LOOKBACK_FINDINGS),
    (lambda w: page_forms.EscalationForm(), "reason", limits.MEASURE_REASON),
    (lambda w: page_forms.EscalationForm(), "cause", limits.MEASURE_CAUSE),
    (lambda w: page_forms.ResponseForm(), "response", limits.RESPONSE),
    (lambda w: page_forms.LiftForm(), "reason", limits.LIFT_REASON),
    (lambda w: TaskFieldsForm(), "text", limits.TASK_TEXT),
    (lambda w: TaskFieldsForm(), "target", limits.TASK_TARGET),
    (lambda w: TaskFieldsForm(), "deadline_raw", limits.DEADLINE_RAW),
]


@pytest.mark.parametrize(("make", "name", "limit"), FORM_LIMITS)
def test_each_text_fields_max_length_is_the_rules_limit(world, make, name, limit):
    form = make(world)
    field = form.fields[name]
    assert isinstance(field, forms.CharField)
    assert field.max_length == limit.chars
    assert field.widget.attrs.get("maxlength") == str(limit.chars)  # what the browser gets
    assert f'maxlength="{limit.chars}"' in str(form[name])


def test_every_limit_is_on_some_form():
    assert {id(limit) for _, _, limit in FORM_LIMITS} == {id(limit) for limit in limits.ALL}


# --- falling progress ----------------------------------------------------------------


def test_a_falling_report_asks_for_the_reason_at_its_field(client, world):
    _login(client, world, "unit_env")
    assert client.post(_report(world.own), {"text": "全部完成", "percent": 100}).status_code == 302
    refused = client.post(_report(world.own), {"text": "发现反弹", "percent": 10})
    assert refused.status_code == 400
    errors = refused.context["report_form"].errors
    assert list(errors) == ["reason"]
    assert "100%" in errors["reason"][0] and "10%" in errors["reason"][0]
    assert b'id="id_reason_errors"' in refused.content  # shown at the field
    assert ProgressReport.objects.filter(task=world.own).count() == 1

    taken = client.post(
        _report(world.own), {"text": "发现反弹", "percent": 10, "reason": "回头看发现底泥反弹"}
    )
    assert taken.status_code == 302
    assert Task.objects.get(pk=world.own.pk).progress == 10
    page = client.get(_detail(world.own))
    history = page.content.decode()
    assert 'data-testid="fall-reason"' in history and "回头看发现底泥反弹" in history
    # The reason shows in the report's row, and only where one was given.
    assert history.count('data-testid="fall-reason"') == 1


def test_a_report_period_in_the_future_is_refused_at_its_field(client, world):
    _login(client, world, "unit_env")
    response = client.post(_report(world.own), {"text": "进展", "period": "2025-06-10"})
    assert response.status_code == 400
    assert list(response.context["report_form"].errors) == ["period"]
    response = client.post(_report(world.own), {"text": "进展", "period": "1999-06-10"})
    assert "2000-01-01" in response.context["report_form"].errors["period"][0]
    assert not ProgressReport.objects.exists()


# --- the review page's dates ---------------------------------------------------------


def _draft(world) -> Task:
    """Task `own` in a draft plan, as the review page shows it."""
    Plan.objects.filter(pk=world.plan.pk).update(status="draft")
    Task.objects.filter(plan=world.plan).update(status="draft")
    return Task.objects.get(pk=world.own.pk)


def _fields(client, task, **values):
    prefix = f"t{task.pk}"
    data = {f"{prefix}-text": task.text, **{f"{prefix}-{k}": v for k, v in values.items()}}
    return client.post(reverse("web:plan_task_fields", args=[task.plan_id, task.pk]), data)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"start_date": "2019-01-01", "due_date": "2018-12-31"}, "due_date", ["2019-01-01"]),
        ({"start_date": "2019-01-01", "due_date": "1920-12-31"}, "due_date", ["2000-01-01"]),
        ({"start_date": "2219-01-01", "due_date": ""}, "start_date", ["2219-01-01"]),
        ({"start_date": "2018-07-02", "deadline_raw": "年" * 121}, "deadline_raw", ["120"]),
    ],
)
def test_the_review_pages_task_fields_refuse_dates_out_of_order_or_range(
    client, world, values, field, words
):
    task = _draft(world)
    response = _fields(_login(client, world, "office"), task, **values)
    assert response.status_code == 400
    assert f'id="id_t{task.pk}-{field}_errors"'.encode() in response.content
    assert all(word in response.content.decode() for word in words)
    stored = Task.objects.get(pk=task.pk)
    assert (stored.start_date, stored.due_date) == (task.start_date, task.due_date)


def test_the_review_pages_task_fields_take_a_start_and_due_date(client, world):
    task = _draft(world)
    _login(client, world, "office")
    assert _fields(client, task, start_date="2019-01-01", due_date="2019-01-01").status_code == 302
    stored = Task.objects.get(pk=task.pk)
    assert (stored.start_date, stored.due_date) == (dt.date(2019, 1, 1), dt.date(2019, 1, 1))


# --- one action per open measure ------------------------------------------------------


def _measure(world) -> Escalation:
    return services.escalation_issue(
        actor=Actor.of(world.users["office"]),
        task_id=world.own.pk,
        level="supervision",
        reason="整改严重滞后",
        cause_key="济整改办〔2025〕7号",
    )


def _forms_of(page, measure) -> tuple[bool, bool, int]:
    (row,) = [r for r in page.context["measures"] if r.escalation.pk == measure.pk]
    html = page.content.decode()
    start = html.index(f'data-escalation="{measure.pk}"')
    article = html[start : html.index("</article>", start)]
    return row.respond_form is not None, row.lift_form is not None, article.count("<form")


@pytest.mark.parametrize(
    ("role", "standing", "answered"),
    [
        ("office", (False, True, 1), (False, True, 1)),  # the office lifts, only
        ("unit_env", (True, False, 1), (False, False, 0)),  # the unit responds, once
        ("supervisor", (False, False, 0), (False, False, 0)),
        ("leader", (False, False, 0), (False, False, 0)),
    ],
)
def test_each_role_has_one_action_per_open_measure(client, world, role, standing, answered):
    measure = _measure(world)
    _login(client, world, role)
    assert _forms_of(client.get(_detail(world.own)), measure) == standing
    services.escalation_respond(
        actor=Actor.of(world.users["unit_env"]), escalation_id=measure.pk, response="已制定计划"
    )
    assert _forms_of(client.get(_detail(world.own)), measure) == answered
    services.escalation_lift(
        actor=Actor.of(world.users["office"]), escalation_id=measure.pk, reason="已整改到位"
    )
    assert _forms_of(client.get(_detail(world.own)), measure) == (False, False, 0)


def test_the_office_may_not_answer_a_measure_by_posting_the_form(client, world):
    measure = _measure(world)
    response = _login(client, world, "office").post(
        reverse("web:escalation_respond", args=[world.own.pk, measure.pk]),
        {f"respond-{measure.pk}-response": "代为说明"},
    )
    assert response.status_code == 403
    assert Escalation.objects.get(pk=measure.pk).responded_at is None
