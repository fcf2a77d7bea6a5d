"""The closed loop on the pages: close-out step forms, objections, look-backs, escalation
measures, missed reports, progress-report periods and the inbox.

As in test_views, assertions look at states, rows and the forms' error dictionaries
rather than at wording (the interface is translated). The clock is frozen on a Monday
inside the holiday calendar, so that a public notice always has a known last day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from closeout.ledger import clock, services, sweep
from closeout.ledger.models import (
    CloseoutStep,
    Escalation,
    LookbackCheck,
    MissedReport,
    Notification,
    Objection,
    ProgressReport,
    Task,
)
from closeout.ledger.rules.workflow import Status, transition_rules
from closeout.ledger.tests.factories import take, walk
from closeout.web.tests.data import PDF

DAY = dt.date(2025, 6, 9)  # a Monday; a notice passed today runs to Friday 2025-06-13
ACTING = {
    "request_closeout": "unit_env",
    "pass_review": "supervisor",
    "end_notice": "office",
    "verify": "supervisor",
    "file": "office",
}


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(DAY):
        yield


def _walk(world, *names, task=None):
    return walk(lambda name: world.actor(ACTING[name]), task or world.own, *names)


def _login(client, world, role):
    client.force_login(world.users[role])
    return client


def _public(task):
    return reverse("web:public_task", args=[task.pk])


def _detail(task):
    return reverse("web:task_detail", args=[task.pk])


def _step(task, name):
    return reverse("web:task_transition", args=[task.pk, name])


def _status(task):
    return Task.objects.get(pk=task.pk).status


def _assessment(prefix="request_closeout", texts=("植被恢复", "水质达标", "回访满意")):
    return {f"{prefix}-assessment_{i}": text for i, text in enumerate(texts)}


def _pdf(name="验收报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# ----------------------------------------------------------------------- close-out steps


def test_the_request_form_asks_for_each_acceptance_criterion(client, world):
    Task.objects.filter(pk=world.own.pk).update(acceptance_criteria="水质达标、群众满意")
    page = _login(client, world, "unit_env").get(_detail(world.own))
    (form,) = [f for f, _ in page.context["transitions"] if f.rule.name == "request_closeout"]
    assert [b.label for b in form.assessment_fields] == ["水质达标", "群众满意"]
    assert form.multipart
    assert b'enctype="multipart/form-data"' in page.content


def test_unit_requests_close_out_with_its_assessment_and_a_file(client, world):
    response = _login(client, world, "unit_env").post(
        _step(world.own, "request_closeout"),
        {**_assessment(), "request_closeout-note": "申请销号", "request_closeout-files": _pdf()},
    )
    assert response.status_code == 302
    assert _status(world.own) == Status.REQUESTED
    step = CloseoutStep.objects.get(task=world.own)
    assert (step.kind, step.round, step.opinion) == ("request", 1, "申请销号")
    assert step.data["assessment"] == {
        "生态修复": "植被恢复",
        "污染消除": "水质达标",
        "群众满意": "回访满意",
    }
    assert [e.original_name for e in step.evidence.all()] == ["验收报告.pdf"]
    page = client.get(_detail(world.own))
    ((number, (row,)),) = page.context["rounds"]
    assert (number, row.step) == (1, step)
    assert ("污染消除", "水质达标") in row.assessment
    assert "验收报告.pdf" in page.content.decode()


def test_a_request_without_the_assessment_is_refused_and_changes_nothing(client, world):
    response = _login(client, world, "unit_env").post(
        _step(world.own, "request_closeout"),
        {**_assessment(texts=("植被恢复", "", "")), "request_closeout-files": _pdf()},
    )
    assert response.status_code == 400
    (form,) = [f for f, _ in response.context["transitions"] if f.rule.name == "request_closeout"]
    assert {"assessment_1", "assessment_2"} <= set(form.errors)
    assert _status(world.own) == Status.IN_PROGRESS
    assert not CloseoutStep.objects.exists()


def test_a_request_without_evidence_shows_the_error_by_the_files_field(client, world):
    response = _login(client, world, "unit_env").post(
        _step(world.own, "request_closeout"), _assessment()
    )
    assert response.status_code == 400
    (form,) = [f for f, _ in response.context["transitions"] if f.rule.name == "request_closeout"]
    assert "files" in form.errors
    assert _status(world.own) == Status.IN_PROGRESS


def test_passing_review_opens_the_public_notice_shown_on_the_page(client, world):
    _walk(world, "request_closeout")
    response = _login(client, world, "supervisor").post(_step(world.own, "pass_review"), {})
    assert response.status_code == 302
    task = Task.objects.get(pk=world.own.pk)
    assert (task.status, task.notice_until) == (Status.NOTICE, dt.date(2025, 6, 13))
    html = client.get(_detail(world.own)).content.decode()
    assert 'data-until="2025-06-13"' in html


def test_the_office_cannot_end_the_notice_before_its_last_day(client, world):
    _walk(world, "request_closeout", "pass_review")
    response = _login(client, world, "office").post(_step(world.own, "end_notice"), {})
    assert response.status_code == 400
    (form,) = [f for f, _ in response.context["transitions"] if f.rule.name == "end_notice"]
    assert form.non_field_errors()
    assert _status(world.own) == Status.NOTICE
    with clock.frozen_at(dt.date(2025, 6, 16)):
        response = client.post(_step(world.own, "end_notice"), {})
    assert response.status_code == 302
    assert _status(world.own) == Status.VERIFICATION


def test_verification_needs_the_date_the_inspectors_and_the_findings(client, world):
    _walk(world, "request_closeout", "pass_review", "end_notice")
    _login(client, world, "supervisor")
    response = client.post(_step(world.own, "verify"), {"verify-checked_on": "2025-06-09"})
    assert response.status_code == 400
    (form,) = [f for f, _ in response.context["transitions"] if f.rule.name == "verify"]
    assert {"inspectors", "note"} <= set(form.errors)
    response = client.post(
        _step(world.own, "verify"), {"verify-checked_on": "2025-06-10", **_verified()}
    )
    assert response.status_code == 400  # a check cannot be dated tomorrow
    assert "checked_on" in response.context["transitions"][0][0].errors
    response = client.post(
        _step(world.own, "verify"), {"verify-checked_on": "2025-06-09", **_verified()}
    )
    assert response.status_code == 302
    step = CloseoutStep.objects.filter(task=world.own, kind="verify").get()
    assert step.data == {"checked_on": "2025-06-09", "inspectors": "市督导组 张三"}
    assert step.opinion == "整改到位"


def _verified():
    return {"verify-inspectors": "市督导组 张三", "verify-note": "整改到位"}


def test_filing_takes_an_optional_number_and_closes_the_task(client, world):
    _walk(world, "request_closeout", "pass_review", "end_notice", "verify")
    response = _login(client, world, "office").post(
        _step(world.own, "file"), {"file-number": "济整改办备〔2025〕3号"}
    )
    assert response.status_code == 302
    task = Task.objects.get(pk=world.own.pk)
    assert (task.status, task.state.bucket, task.closed_on) == (Status.CLOSED, "done", DAY)
    page = client.get(_detail(world.own))
    kinds = [row.step.kind for _, rows in page.context["rounds"] for row in rows]
    assert kinds == ["request", "review", "notice_end", "verify", "file"]
    assert "济整改办备〔2025〕3号" in page.content.decode()
    assert 'data-bucket="done"' in page.content.decode()


def test_sending_back_starts_a_new_round_on_the_next_request(client, world):
    _walk(world, "request_closeout")
    take(world.actor("supervisor"), world.own, "send_back", "佐证不足")
    _walk(world, "request_closeout")
    page = _login(client, world, "unit_env").get(_detail(world.own))
    rounds = {n: [row.step.kind for row in rows] for n, rows in page.context["rounds"]}
    assert rounds == {1: ["request", "send_back"], 2: ["request"]}


# ----------------------------------------------------------------------- objections


def test_an_anonymous_visitor_objects_during_the_notice_and_the_office_answers(client, world):
    _walk(world, "request_closeout", "pass_review")
    # a visitor is sent to the task's public page, which carries the objection form
    assert client.get(_detail(world.own)).url == _public(world.own)
    page = client.get(_public(world.own))
    assert page.context["objection_form"] is not None
    response = client.post(
        reverse("web:objection_lodge", args=[world.own.pk]),
        {"objection-text": "河道仍有异味", "objection-name": "王先生", "objection-contact": "138"},
    )
    assert response.status_code == 302
    objection = Objection.objects.get(task=world.own)
    assert (objection.text, objection.name, objection.round) == ("河道仍有异味", "王先生", 1)
    public_html = client.get(_public(world.own)).content.decode()
    assert "河道仍有异味" in public_html and "王先生" not in public_html  # objectors stay private

    office_page = _login(client, world, "office").get(_detail(world.own))
    ((shown, answer_form, spam_form),) = office_page.context["objections"]
    assert shown == objection and answer_form is not None and spam_form is not None
    assert "王先生" in office_page.content.decode()
    url = reverse("web:objection_answer", args=[world.own.pk, objection.pk])
    assert client.post(url, {f"answer-{objection.pk}-answer": "已复测,达标"}).status_code == 302
    objection.refresh_from_db()
    assert objection.answer == "已复测,达标" and objection.answered_at is not None

    again = client.post(url, {f"answer-{objection.pk}-answer": "改口"})
    assert again.status_code == 400  # answered once, for good
    assert again.context["page_errors"]
    objection.refresh_from_db()
    assert objection.answer == "已复测,达标"


def test_an_objection_outside_the_notice_is_refused(client, world):
    assert client.get(_public(world.own)).context["objection_form"] is None
    response = client.post(
        reverse("web:objection_lodge", args=[world.own.pk]), {"objection-text": "有异议"}
    )
    assert response.status_code == 400
    assert response.context["page_errors"]
    assert response.templates[0].name.startswith("web/public/")  # never the internal page
    assert not Objection.objects.exists()


def test_an_objection_needs_a_text(client, world):
    _walk(world, "request_closeout", "pass_review")
    response = client.post(
        reverse("web:objection_lodge", args=[world.own.pk]), {"objection-name": "王先生"}
    )
    assert response.status_code == 400
    assert "text" in response.context["objection_form"].errors
    assert not Objection.objects.exists()


def test_an_unanswered_objection_keeps_the_notice_open(client, world):
    _walk(world, "request_closeout", "pass_review")
    services.objection_lodge(actor=world.actor("public"), task_id=world.own.pk, text="有异议")
    with clock.frozen_at(dt.date(2025, 6, 16)):
        response = _login(client, world, "office").post(_step(world.own, "end_notice"), {})
    assert response.status_code == 400
    assert _status(world.own) == Status.NOTICE


@pytest.mark.parametrize(("role", "status"), [("unit_env", 403), ("supervisor_audit", 404)])
def test_only_the_office_or_the_supervising_unit_answers(client, world, role, status):
    _walk(world, "request_closeout", "pass_review")
    objection = services.objection_lodge(
        actor=world.actor("public"), task_id=world.own.pk, text="有异议"
    )
    page = _login(client, world, "unit_env").get(_detail(world.own))
    assert page.context["objections"] == [(objection, None, None)]
    response = _login(client, world, role).post(
        reverse("web:objection_answer", args=[world.own.pk, objection.pk]),
        {f"answer-{objection.pk}-answer": "答复"},
    )
    assert response.status_code == status
    objection.refresh_from_db()
    assert objection.answered_at is None


# ----------------------------------------------------------------------- look-backs


def _closed_with_lookbacks(world):
    _walk(world, "request_closeout", "pass_review", "end_notice", "verify", "file")
    sweep.run(DAY)  # schedules the look-backs of the closing
    return list(LookbackCheck.objects.filter(task=world.own).order_by("months"))


def test_a_supervisor_records_a_stable_look_back(client, world):
    three, twelve = _closed_with_lookbacks(world)
    page = _login(client, world, "supervisor").get(_detail(world.own))
    forms = dict(page.context["lookbacks"])
    assert forms[three] is not None and forms[twelve] is not None
    response = client.post(
        reverse("web:lookback_record", args=[world.own.pk, three.pk]),
        {
            f"lookback-{three.pk}-outcome": "stable",
            f"lookback-{three.pk}-findings": "水体清澈",
            f"lookback-{three.pk}-checked_on": "2025-06-09",
        },
    )
    assert response.status_code == 302
    three.refresh_from_db()
    assert (three.state, three.findings, three.checked_on) == ("stable", "水体清澈", DAY)
    assert _status(world.own) == Status.CLOSED


def test_a_rebound_found_by_a_look_back_reopens_the_task(client, world):
    three, _twelve = _closed_with_lookbacks(world)
    response = _login(client, world, "office").post(
        reverse("web:lookback_record", args=[world.own.pk, three.pk]),
        {f"lookback-{three.pk}-outcome": "rebound", f"lookback-{three.pk}-findings": "黑臭反弹"},
    )
    assert response.status_code == 302
    task = Task.objects.get(pk=world.own.pk)
    assert (task.status, task.rebounds) == (Status.IN_PROGRESS, 1)
    page = client.get(_detail(world.own))
    states = {check.months: check.state for check, _ in page.context["lookbacks"]}
    assert states == {3: "rebound", 12: "void"}
    assert all(form is None for _, form in page.context["lookbacks"])


def test_a_look_back_needs_findings_and_a_supervisor_or_the_office(client, world):
    three, _twelve = _closed_with_lookbacks(world)
    url = reverse("web:lookback_record", args=[world.own.pk, three.pk])
    response = _login(client, world, "supervisor").post(
        url, {f"lookback-{three.pk}-outcome": "stable"}
    )
    assert response.status_code == 400
    (form,) = [f for c, f in response.context["lookbacks"] if c == three]
    assert "findings" in form.errors
    data = {f"lookback-{three.pk}-outcome": "stable", f"lookback-{three.pk}-findings": "好"}
    page = _login(client, world, "unit_env").get(_detail(world.own))
    assert all(form is None for _, form in page.context["lookbacks"])
    assert client.post(url, data).status_code == 403
    assert _login(client, world, "supervisor_audit").post(url, data).status_code == 404
    three.refresh_from_db()
    assert three.state == "scheduled"


# ----------------------------------------------------------------------- escalations


def _issue(client, task, **fields):
    data = {
        "escalate-level": "region_hold",
        "escalate-reason": "整改严重滞后",
        "escalate-cause": "济整改办〔2025〕7号",
        "escalate-response_days": "10",
    }
    data.update({f"escalate-{k}": v for k, v in fields.items()})
    return client.post(reverse("web:escalation_issue", args=[task.pk]), data)


def test_the_office_issues_a_measure_the_unit_responds_and_the_office_lifts_it(client, world):
    assert _issue(_login(client, world, "office"), world.own).status_code == 302
    measure = Escalation.objects.get(task=world.own)
    assert (measure.level, measure.manual, measure.reason) == ("region_hold", True, "整改严重滞后")
    assert measure.response_due == dt.date(2025, 6, 23)  # ten working days

    page = _login(client, world, "unit_env").get(_detail(world.own))
    (row,) = page.context["measures"]
    assert row.reason == "整改严重滞后"
    assert row.respond_form is not None and row.lift_form is None
    assert page.context["escalation_form"] is None
    response = client.post(
        reverse("web:escalation_respond", args=[world.own.pk, measure.pk]),
        {f"respond-{measure.pk}-response": "已制定整改计划"},
    )
    assert response.status_code == 302

    _login(client, world, "office")
    response = client.post(
        reverse("web:escalation_lift", args=[world.own.pk, measure.pk]),
        {f"lift-{measure.pk}-reason": "整改到位"},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.response, measure.lifted_on, measure.lift_reason) == (
        "已制定整改计划",
        DAY,
        "整改到位",
    )
    (row,) = client.get(_detail(world.own)).context["measures"]
    assert row.respond_form is None and row.lift_form is None


def test_the_same_measure_is_not_issued_twice_for_one_cause(client, world):
    _login(client, world, "supervisor")
    assert _issue(client, world.own).status_code == 302
    again = _issue(client, world.own)
    assert again.status_code == 400
    assert again.context["escalation_form"].non_field_errors()
    assert Escalation.objects.filter(task=world.own).count() == 1
    assert _issue(client, world.own, cause="另一份文件").status_code == 302


@pytest.mark.parametrize(("role", "status"), [("unit_env", 403), ("supervisor_audit", 404)])
def test_units_do_not_issue_measures(client, world, role, status):
    assert _issue(_login(client, world, role), world.own).status_code == status
    assert not Escalation.objects.exists()


def test_a_measure_without_a_reason_shows_the_error_on_its_field(client, world):
    response = _issue(_login(client, world, "office"), world.own, reason="")
    assert response.status_code == 400
    assert "reason" in response.context["escalation_form"].errors


def test_only_the_office_lifts_a_measure(client, world):
    measure = services.escalation_issue(
        actor=world.actor("office"),
        task_id=world.own.pk,
        level="accountability",
        reason="拒不整改",
        cause_key="A-1",
    )
    response = _login(client, world, "supervisor").post(
        reverse("web:escalation_lift", args=[world.own.pk, measure.pk]),
        {f"lift-{measure.pk}-reason": "x"},
    )
    assert response.status_code == 403
    measure.refresh_from_db()
    assert measure.lifted_on is None


def test_a_measure_issued_by_the_sweep_explains_its_cause(client, world):
    sweep.run(DAY)  # the task is years overdue, and reports are missing
    page = _login(client, world, "office").get(_detail(world.own))
    rows = page.context["measures"]
    assert "overdue" in {row.escalation.trigger for row in rows}
    for row in rows:
        assert not row.escalation.manual
        # The words name the cause: the due date overdue from, the first period missed.
        assert row.escalation.cause.partition(":")[2] in row.reason
        assert row.reason != row.escalation.cause


# ----------------------------------------------------------------------- reports


def test_missed_reports_are_listed_on_the_page(client, world):
    MissedReport.objects.create(
        task=world.own,
        unit=world.env,
        period_start=dt.date(2025, 5, 26),
        period_end=dt.date(2025, 6, 1),
        due_by=dt.date(2025, 6, 2),
        recorded_on=dt.date(2025, 6, 3),
    )
    page = _login(client, world, "supervisor").get(_detail(world.own))
    (missed,) = page.context["loop"].missed
    assert missed.period_start == dt.date(2025, 5, 26)
    assert f'data-missed="{missed.pk}"' in page.content.decode()


def test_a_report_may_be_for_an_earlier_period(client, world):
    response = _login(client, world, "unit_env").post(
        reverse("web:task_report", args=[world.own.pk]),
        {"text": "补报上周进展", "percent": 30, "period": "2025-06-04"},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=world.own)
    assert report.period_start <= dt.date(2025, 6, 4) <= report.period_end
    assert report.period_end < DAY


def test_a_report_for_a_period_before_the_start_is_refused_on_the_period_field(client, world):
    response = _login(client, world, "unit_env").post(
        reverse("web:task_report", args=[world.own.pk]),
        {"text": "补报", "period": "2018-01-03"},  # the task started on 2018-07-02
    )
    assert response.status_code == 400
    assert "period" in response.context["report_form"].errors
    assert not ProgressReport.objects.exists()


# ----------------------------------------------------------------------- the inbox


def test_the_inbox_lists_notifications_and_marks_them_read(client, world):
    _walk(world, "request_closeout")  # the supervising unit is told
    _login(client, world, "supervisor")
    header = client.get(reverse("web:task_list")).content.decode()
    assert 'data-testid="unread">1<' in header
    page = client.get(reverse("web:inbox"))
    ((note, text),) = page.context["rows"]
    assert (note.kind, note.task_id) == ("closeout_requested", world.own.pk)
    assert str(world.own.seq) in text
    assert _detail(world.own) in page.content.decode()

    response = client.post(reverse("web:inbox_read"), {"id": note.pk})
    assert response.status_code == 302
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert 'data-testid="unread"' not in client.get(reverse("web:inbox")).content.decode()


def test_mark_all_read_touches_only_ones_own_notifications(client, world):
    _walk(world, "request_closeout", "pass_review")  # unit and office are told
    unit_note = Notification.objects.get(user=world.users["unit_env"])
    _login(client, world, "office")
    assert client.post(reverse("web:inbox_read"), {"id": unit_note.pk}).status_code == 404
    assert client.post(reverse("web:inbox_read")).status_code == 302
    assert not Notification.objects.filter(
        user=world.users["office"], read_at__isnull=True
    ).exists()
    unit_note.refresh_from_db()
    assert unit_note.read_at is None


def test_the_inbox_needs_a_login(client, world):
    for response in (client.get(reverse("web:inbox")), client.post(reverse("web:inbox_read"))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("name", sorted(transition_rules()))
def test_each_steps_form_sends_the_data_its_schema_declares(world, name):
    """The page's form of a step fills exactly the fields of the step's schema, with
    values the schema takes (the service holds them to it, as it does the API's)."""
    from closeout.ledger.services.closeouts import STEP_BY_NAME
    from closeout.web.forms import transition_form

    rule = transition_rules()[name]
    post = {
        f"{name}-note": "属实",
        f"{name}-checked_on": "2025-06-09",
        f"{name}-inspectors": "市督导组 张三",
        f"{name}-number": "济销〔2025〕1号",
        **_assessment(prefix=name),
    }
    form = transition_form(rule, world.own, post, {f"{name}-files": _pdf()})
    assert form.is_valid(), form.errors
    data = form.step_data()
    assert set(data) == set(STEP_BY_NAME[name].schema.model_fields)
    services.step_data(name, data)  # InvalidInput, naming the field, if it did not
