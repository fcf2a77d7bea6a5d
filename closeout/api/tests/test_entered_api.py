"""The API agrees with the rules of entered input: its schemas state each text's limit
(`maxLength`) as `rules.limits` has it and refuse a longer one naming the field; a
falling report needs a reason (400 on `reason`) and gives it back; the dates of a report,
an on-site check and the office's edit are held to `rules.dates`; the office does not
answer measures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from closeout.ledger import clock, services
from closeout.ledger.access import Actor
from closeout.ledger.models import ProgressReport, Task
from closeout.ledger.rules import limits

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 9)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(DAY):
        yield


@pytest.fixture(scope="module")
def spec(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/openapi.json").json()


def _body(spec, schema: str) -> dict:
    return spec["components"]["schemas"][schema]["properties"]


def _form(spec, path: str) -> dict:
    op = spec["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]
    return op["schema"]["properties"]


def _max(prop: dict) -> int | None:
    if "maxLength" in prop:
        return prop["maxLength"]
    lengths = [p["maxLength"] for p in prop.get("anyOf", []) if "maxLength" in p]
    return lengths[0] if lengths else None


SCHEMA_LIMITS = [
    ("TransitionIn", "note", limits.STEP_NOTE),
    ("ObjectionIn", "text", limits.OBJECTION_TEXT),
    ("ObjectionIn", "name", limits.OBJECTOR_NAME),
    ("ObjectionIn", "contact", limits.OBJECTOR_CONTACT),
    ("AnswerIn", "answer", limits.ANSWER),
    ("SpamIn", "reason", limits.SPAM_REASON),
    ("LookbackIn", "findings", limits.LOOKBACK_FINDINGS),
    ("EscalationIn", "reason", limits.MEASURE_REASON),
    ("EscalationIn", "cause", limits.MEASURE_CAUSE),
    ("ResponseIn", "response", limits.RESPONSE),
    ("LiftIn", "reason", limits.LIFT_REASON),
    ("TaskPatchIn", "text", limits.TASK_TEXT),
    ("TaskPatchIn", "target", limits.TASK_TARGET),
    ("TaskPatchIn", "deadline_raw", limits.DEADLINE_RAW),
]
FORM_LIMITS = [
    ("/api/tasks/{task_id}/reports", "text", limits.REPORT_TEXT),
    ("/api/tasks/{task_id}/reports", "reason", limits.FALL_REASON),
    ("/api/tasks/{task_id}/closeout-request", "note", limits.STEP_NOTE),
]


@pytest.mark.parametrize(("schema", "name", "limit"), SCHEMA_LIMITS)
def test_each_body_text_states_the_rules_limit(spec, schema, name, limit):
    assert _max(_body(spec, schema)[name]) == limit.chars


@pytest.mark.parametrize(("path", "name", "limit"), FORM_LIMITS)
def test_each_form_text_states_the_rules_limit(spec, path, name, limit):
    assert _max(_form(spec, path)[name]) == limit.chars


def test_the_report_form_documents_the_reason(spec):
    assert "reason" in spec["components"]["schemas"]["ReportOut"]["properties"]
    assert "reason" not in spec["paths"]["/api/tasks/{task_id}/reports"]["post"]["requestBody"][
        "content"
    ]["multipart/form-data"]["schema"].get("required", [])


def _report(client, task, **data):
    return client.post(f"/api/tasks/{task.pk}/reports", {"text": "本周进展", **data})


def test_a_falling_report_needs_a_reason_and_gives_it_back(world, as_user):
    unit = as_user("unit_env")
    assert _report(unit, world.own, percent="100").status_code == 201
    refused = _report(unit, world.own, percent="10")
    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"
    assert "100%" in refused.json()["detail"] and "10%" in refused.json()["detail"]
    taken = _report(unit, world.own, percent="10", reason="发现反弹,重新整改")
    assert taken.status_code == 201, taken.content
    assert taken.json()["reason"] == "发现反弹,重新整改"
    assert Task.objects.get(pk=world.own.pk).progress == 10
    listed = unit.get(f"/api/tasks/{world.own.pk}/reports").json()
    assert sorted(r["reason"] for r in listed) == ["", "发现反弹,重新整改"]


@pytest.mark.parametrize(
    ("data", "field", "status"),
    [
        ({"text": "字" * (limits.REPORT_TEXT.chars + 1)}, "text", 422),
        ({"percent": "0", "reason": "因" * (limits.FALL_REASON.chars + 1)}, "reason", 422),
        ({"period": "2025-06-10"}, "period", 400),
        ({"period": "1999-12-31"}, "period", 400),
    ],
)
def test_a_report_out_of_its_limits_is_refused_naming_the_field(
    world, as_user, data, field, status
):
    response = _report(as_user("unit_env"), world.own, **data)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("transitions/cancel", {"note": "理" * (limits.STEP_NOTE.chars + 1)}, "note"),
        ("transitions/cancel", {"note": "   "}, "note"),  # a reason is required
    ],
)
def test_a_step_note_over_its_limit_is_refused(world, as_user, path, payload, field):
    response = as_user("office").post(
        f"/api/tasks/{world.own.pk}/{path}", payload, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_date": "2018-07-01"}, "due_date"),  # before the start (2018-07-02)
        ({"start_date": "2021-01-01"}, "start_date"),  # after the due date (2020-12-31)
        ({"due_date": "1999-12-31"}, "due_date"),
        ({"due_date": "2046-01-01"}, "due_date"),
        ({"deadline_raw": "年" * 121}, "deadline_raw"),
    ],
)
def test_the_offices_edit_is_held_to_dates_and_limits(world, as_user, changes, field):
    response = as_user("office").patch(
        f"/api/tasks/{world.own.pk}", changes, content_type="application/json"
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["field"] == field
    task = Task.objects.get(pk=world.own.pk)
    assert (task.start_date, task.due_date) == (dt.date(2018, 7, 2), dt.date(2020, 12, 31))


def test_the_office_lifts_a_measure_and_does_not_answer_it(world, as_user):
    measure = services.escalation_issue(
        actor=Actor.of(world.users["office"]),
        task_id=world.own.pk,
        level="supervision",
        reason="整改滞后",
        cause_key="督〔2025〕3号",
    )
    url = f"/api/escalations/{measure.pk}"
    office = as_user("office")
    answer = {"response": "代为说明"}
    assert office.post(f"{url}/respond", answer, content_type="application/json").status_code == 403
    unit = as_user("unit_env")
    assert unit.post(f"{url}/respond", answer, content_type="application/json").status_code == 200
    lifted = office.post(f"{url}/lift", {"reason": "已整改"}, content_type="application/json")
    assert lifted.status_code == 200 and lifted.json()["lifted_on"] == DAY.isoformat()
