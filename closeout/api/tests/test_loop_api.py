"""The closed loop through the API: step data on transitions, the multipart close-out
request, objections, look-backs, escalation measures, notifications, and the task
detail's loop fields. The clock is frozen on a Monday inside the holiday calendar."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from closeout.api.tests.conftest import TINY_PDF
from closeout.ledger import clock, sweep
from closeout.ledger.models import (
    CloseoutStep,
    Escalation,
    LookbackCheck,
    Notification,
    Objection,
    Role,
    Task,
)
from closeout.ledger.rules.workflow import TRANSITIONS
from closeout.ledger.tests.factories import make_users, walk
from closeout.ledger.tests.stepcases import FROM, MISSING, VALID, WRONG_CASES

DAY = dt.date(2025, 6, 9)
ASSESSMENT = {"生态修复": "植被恢复", "污染消除": "水质达标", "群众满意": "回访满意"}
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


def _walk(world, *names):
    return walk(lambda name: world.actor(ACTING[name]), world.own, *names)


def _post(client, path, body=None):
    return client.post(f"/api/{path}", body or {}, content_type="application/json")


def _request(client, task, *, assessment=ASSESSMENT, files=True, note=""):
    data = {"assessment": json.dumps(assessment, ensure_ascii=False), "note": note}
    if files:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data["files"] = [SimpleUploadedFile("验收报告.pdf", TINY_PDF)]
    return client.post(f"/api/tasks/{task.pk}/closeout-request", data)


# ----------------------------------------------------------------------- transitions


def test_the_multipart_request_keeps_the_assessment_and_the_files_with_the_step(world, as_user):
    response = _request(as_user("unit_env"), world.own, note="申请销号")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "requested"
    (step,) = body["steps"]
    assert (step["kind"], step["round"], step["opinion"]) == ("request", 1, "申请销号")
    assert step["data"]["assessment"] == ASSESSMENT
    assert [e["name"] for e in step["evidence"]] == ["验收报告.pdf"]
    assert body["closeout_round"] == 1


@pytest.mark.parametrize(
    ("assessment", "files"),
    [
        ({"生态修复": "植被恢复"}, True),  # two criteria said nothing about
        ({**ASSESSMENT, "自拟标准": "x"}, True),  # not a criterion of the task
        (ASSESSMENT, False),  # no evidence at all
    ],
)
def test_an_incomplete_request_is_a_400_naming_the_field(world, as_user, assessment, files):
    response = _request(as_user("unit_env"), world.own, assessment=assessment, files=files)
    assert response.status_code == 400
    assert response.json()["field"] == ("assessment" if files else "files")
    assert Task.objects.get(pk=world.own.pk).status == "in_progress"
    assert not CloseoutStep.objects.exists()


def test_an_assessment_that_is_not_json_is_a_400(world, as_user):
    response = as_user("unit_env").post(
        f"/api/tasks/{world.own.pk}/closeout-request", {"assessment": "{生态修复"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "assessment"


def test_a_json_request_without_the_assessment_is_a_400(world, as_user):
    response = _post(as_user("unit_env"), f"tasks/{world.own.pk}/transitions/request_closeout")
    assert response.status_code == 400
    assert response.json()["field"] == "assessment"


def test_verify_takes_its_data_and_needs_the_findings(world, as_user):
    _walk(world, "request_closeout", "pass_review", "end_notice")
    client = as_user("supervisor")
    path = f"tasks/{world.own.pk}/transitions/verify"
    response = _post(client, path, {"note": "合格", "data": {"inspectors": "张三"}})
    assert (response.status_code, response.json()["field"]) == (400, "checked_on")
    response = _post(
        client, path, {"note": "", "data": {"checked_on": "2025-06-09", "inspectors": "张三"}}
    )
    assert (response.status_code, response.json()["field"]) == (400, "note")
    response = _post(
        client, path, {"note": "合格", "data": {"checked_on": "2025-06-09", "inspectors": "张三"}}
    )
    assert response.status_code == 200
    assert response.json()["steps"][-1]["data"] == {
        "checked_on": "2025-06-09",
        "inspectors": "张三",
    }


API_CASES = [
    *WRONG_CASES,
    *((name, field, "missing") for name, field in MISSING),
    *((name, "inspector", "张三") for name in sorted(TRANSITIONS)),  # unknown to every step
]


@pytest.mark.parametrize(
    ("name", "field", "value"), API_CASES, ids=[f"{n}-{f}-{v!r}" for n, f, v in API_CASES]
)
def test_step_data_of_the_wrong_shape_is_a_400_naming_the_field(world, as_user, name, field, value):
    """The data of every step is held to its schema: a number is not a date, a list or an
    object is not a text, a text is not an object, required is required, unknown refused."""
    Task.objects.filter(pk=world.own.pk).update(status=FROM[name])
    data = {**VALID.get(name, {}), field: value}
    if value == "missing":
        del data[field]
    path = f"tasks/{world.own.pk}/transitions/{name}"
    response = _post(as_user("office"), path, {"note": "属实", "data": data})
    assert (response.status_code, response.json()["field"]) == (400, field), response.json()
    assert response.json()["detail"]  # in the reader's language, naming the field
    assert Task.objects.get(pk=world.own.pk).status == FROM[name]
    assert not CloseoutStep.objects.exists()


def test_a_unit_user_whose_unit_also_supervises_may_not_pass_its_own_review(world, as_user):
    from closeout.ledger.models import AssignmentRole, TaskUnit

    TaskUnit.objects.create(task=world.own, unit=world.env, role=AssignmentRole.SUPERVISING)
    _walk(world, "request_closeout")
    response = _post(as_user("unit_env"), f"tasks/{world.own.pk}/transitions/pass_review")
    assert response.status_code == 403
    assert Task.objects.get(pk=world.own.pk).status == "requested"


def test_the_detail_carries_the_loop(world, as_user):
    body = as_user("supervisor").get(f"/api/tasks/{world.own.pk}").json()
    for key in ("steps", "objections", "lookbacks", "escalations", "missed_reports"):
        assert body[key] == []
    assert body["bucket"] == "overdue"  # due 2020-12-31, open in 2025
    assert body["bucket_label"]
    assert (body["notice_until"], body["closeout_round"], body["rebounds"]) == (None, 0, 0)


# ----------------------------------------------------------------------- objections


def test_objections_are_lodged_during_the_notice_and_answered_once(world, as_user):
    _walk(world, "request_closeout", "pass_review")
    lodged = _post(
        as_user("unit_water"),  # a unit with no part in the task objects as the public
        f"tasks/{world.own.pk}/objections",
        {"text": "河道仍有异味", "name": "王先生", "contact": "138"},
    )
    assert lodged.status_code == 201
    objection = lodged.json()
    assert (objection["round"], objection["answered_at"]) == (1, None)

    (seen,) = as_user("unit_env").get(f"/api/tasks/{world.own.pk}/objections").json()
    assert (seen["text"], seen["name"], seen["contact"]) == ("河道仍有异味", "", "")
    (seen,) = as_user("supervisor").get(f"/api/tasks/{world.own.pk}/objections").json()
    assert (seen["name"], seen["contact"]) == ("王先生", "138")

    path = f"objections/{objection['id']}/answer"
    assert _post(as_user("unit_env"), path, {"answer": "x"}).status_code == 403
    assert _post(as_user("supervisor_audit"), path, {"answer": "x"}).status_code == 404
    assert _post(as_user("supervisor"), path, {"answer": " "}).status_code == 400
    answered = _post(as_user("supervisor"), path, {"answer": "已复测,达标"})
    assert answered.status_code == 200
    assert answered.json()["answer"] == "已复测,达标"
    again = _post(as_user("office"), path, {"answer": "改口"})
    assert again.status_code == 409
    body = as_user("office").get(f"/api/tasks/{world.own.pk}").json()
    assert [o["answer"] for o in body["objections"]] == ["已复测,达标"]


def test_an_objection_outside_the_notice_is_a_409(world, as_user):
    response = _post(as_user("unit_water"), f"tasks/{world.own.pk}/objections", {"text": "有异议"})
    assert response.status_code == 409
    assert as_user("office").get(f"/api/tasks/{world.own.pk}/objections").json() == []


@pytest.mark.parametrize("user", ["office", "leader", "unit_env", "supervisor"])
def test_those_with_a_part_in_the_task_do_not_object(world, as_user, user):
    _walk(world, "request_closeout", "pass_review")
    response = _post(as_user(user), f"tasks/{world.own.pk}/objections", {"text": "有异议"})
    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_an_objection_to_a_task_the_public_cannot_see_is_a_404(world, as_user):
    _walk(world, "request_closeout", "pass_review")
    world.plan.published = False
    world.plan.save(update_fields=["published"])
    response = _post(as_user("unit_water"), f"tasks/{world.own.pk}/objections", {"text": "x"})
    assert response.status_code == 404
    assert as_user("unit_water").get(f"/api/tasks/{world.own.pk}/objections").status_code == 404


def test_the_office_marks_spam_which_needs_no_answer(world, as_user):
    _walk(world, "request_closeout", "pass_review")
    lodged = _post(as_user("unit_water"), f"tasks/{world.own.pk}/objections", {"text": "广告"})
    path = f"objections/{lodged.json()['id']}/spam"
    for user, status in (("supervisor", 403), ("unit_env", 403), ("supervisor_audit", 404)):
        assert _post(as_user(user), path, {"reason": "广告"}).status_code == status, user
    blank = _post(as_user("office"), path, {"reason": " "})
    assert (blank.status_code, blank.json()["field"]) == (400, "reason")
    marked = _post(as_user("office"), path, {"reason": "广告,与整改无关"})
    assert marked.status_code == 200
    body = marked.json()
    assert (body["spam"], body["spam_reason"], body["text"]) == (True, "广告,与整改无关", "广告")
    assert _post(as_user("office"), path, {"reason": "again"}).status_code == 409
    answer = f"objections/{lodged.json()['id']}/answer"
    assert _post(as_user("supervisor"), answer, {"answer": "x"}).status_code == 409
    # Kept on record; its text only for those who answer objections.
    (seen,) = as_user("unit_env").get(f"/api/tasks/{world.own.pk}/objections").json()
    assert (seen["spam"], seen["spam_reason"], seen["text"]) == (True, "广告,与整改无关", "")
    (seen,) = as_user("supervisor").get(f"/api/tasks/{world.own.pk}").json()["objections"]
    assert seen["text"] == "广告"


def test_the_requester_does_not_settle_objections(world, as_user):
    world.users |= make_users(world.actor("office"), office2=(Role.OFFICE, None))
    walk(lambda name: world.actor("office" if name == "request_closeout" else "office2"),
         world.own, "request_closeout", "pass_review")  # fmt: skip
    lodged = _post(as_user("unit_water"), f"tasks/{world.own.pk}/objections", {"text": "异议"})
    oid = lodged.json()["id"]
    assert _post(as_user("office"), f"objections/{oid}/answer", {"answer": "x"}).status_code == 403
    assert _post(as_user("office"), f"objections/{oid}/spam", {"reason": "x"}).status_code == 403
    assert _post(as_user("office2"), f"objections/{oid}/spam", {"reason": "x"}).status_code == 200


def test_lodging_past_the_limit_is_a_429(world, as_user, settings):
    from closeout.ledger.services.ratelimits import Limit

    settings.CLOSEOUT_OBJECTION_LIMITS = {"address": Limit(2, 600)}
    _walk(world, "request_closeout", "pass_review")
    path = f"tasks/{world.own.pk}/objections"
    codes = [_post(as_user("unit_water"), path, {"text": f"异议{i}"}).status_code for i in range(3)]
    assert codes == [201, 201, 429]
    refused = _post(as_user("supervisor_audit"), path, {"text": "同一地址"})
    assert refused.status_code == 429 and refused.json()["detail"]
    assert Objection.objects.count() == 2


def test_objections_need_a_login(world, client):
    _walk(world, "request_closeout", "pass_review")
    assert _post(client, f"tasks/{world.own.pk}/objections", {"text": "x"}).status_code == 401


# ----------------------------------------------------------------------- look-backs


def _closed_with_lookbacks(world):
    _walk(world, "request_closeout", "pass_review", "end_notice", "verify", "file")
    sweep.run(DAY)
    return list(LookbackCheck.objects.filter(task=world.own).order_by("months"))


def test_look_backs_are_listed_and_recorded_once(world, as_user):
    three, _twelve = _closed_with_lookbacks(world)
    listed = as_user("unit_env").get(f"/api/tasks/{world.own.pk}/lookbacks").json()
    assert [(c["months"], c["state"]) for c in listed] == [(3, "scheduled"), (12, "scheduled")]
    assert listed[0]["due_on"] == "2025-09-09"  # three months after the closing

    body = {"rebound": False, "findings": "水体清澈", "checked_on": "2025-06-09"}
    assert _post(as_user("unit_env"), f"lookbacks/{three.pk}", body).status_code == 403
    assert _post(as_user("supervisor_audit"), f"lookbacks/{three.pk}", body).status_code == 404
    bad = _post(as_user("supervisor"), f"lookbacks/{three.pk}", {**body, "findings": ""})
    assert (bad.status_code, bad.json()["field"]) == (400, "findings")
    response = _post(as_user("supervisor"), f"lookbacks/{three.pk}", body)
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["checked_on"]) == ("stable", "2025-06-09")
    assert _post(as_user("office"), f"lookbacks/{three.pk}", body).status_code == 409


def test_a_rebound_reopens_the_task(world, as_user):
    three, _twelve = _closed_with_lookbacks(world)
    response = _post(
        as_user("office"), f"lookbacks/{three.pk}", {"rebound": True, "findings": "黑臭反弹"}
    )
    assert response.status_code == 200
    body = as_user("office").get(f"/api/tasks/{world.own.pk}").json()
    assert (body["status"], body["rebounds"]) == ("in_progress", 1)
    assert [c["state"] for c in body["lookbacks"]] == ["rebound", "void"]
    assert body["steps"][-1]["kind"] == "reopen"


# ----------------------------------------------------------------------- escalations


MEASURE = {"level": "region_hold", "reason": "整改严重滞后", "cause": "济整改办〔2025〕7号"}


def test_a_measure_is_issued_answered_and_lifted(world, as_user):
    issued = _post(as_user("supervisor"), f"tasks/{world.own.pk}/escalations", MEASURE)
    assert issued.status_code == 201, issued.content
    measure = issued.json()
    assert (measure["level"], measure["manual"], measure["reason"]) == (
        "region_hold",
        True,
        "整改严重滞后",
    )
    assert measure["issued_by"] == "市督导组"  # a supervising unit issues in its own name
    assert measure["response_due"] == "2025-06-23"
    assert measure["unit"]["name"] == "市生态环境局"

    respond = f"escalations/{measure['id']}/respond"
    assert _post(as_user("supervisor"), respond, {"response": "x"}).status_code == 403
    answered = _post(as_user("unit_env"), respond, {"response": "已制定整改计划"})
    assert answered.status_code == 200
    assert answered.json()["response"] == "已制定整改计划"
    assert _post(as_user("unit_env"), respond, {"response": "再说明"}).status_code == 409

    lift = f"escalations/{measure['id']}/lift"
    assert _post(as_user("supervisor"), lift, {"reason": "x"}).status_code == 403
    lifted = _post(as_user("office"), lift, {"reason": "整改到位"})
    assert lifted.status_code == 200
    assert (lifted.json()["lifted_on"], lifted.json()["lift_reason"]) == ("2025-06-09", "整改到位")
    assert _post(as_user("office"), lift, {"reason": "again"}).status_code == 409

    listed = as_user("unit_env").get(f"/api/tasks/{world.own.pk}/escalations").json()
    assert [m["id"] for m in listed] == [measure["id"]]


def test_the_same_measure_for_the_same_cause_is_a_409(world, as_user):
    path = f"tasks/{world.own.pk}/escalations"
    assert _post(as_user("office"), path, MEASURE).status_code == 201
    assert _post(as_user("office"), path, MEASURE).status_code == 409
    assert Escalation.objects.count() == 1


@pytest.mark.parametrize(
    ("user", "body", "status"),
    [
        ("unit_env", MEASURE, 403),
        ("leader", MEASURE, 403),
        ("supervisor_audit", MEASURE, 404),
        ("office", {**MEASURE, "level": "thunderbolt"}, 422),
        ("office", {**MEASURE, "reason": " "}, 400),
        ("office", {**MEASURE, "cause": " "}, 400),
        ("office", {**MEASURE, "response_days": 91}, 400),
    ],
)
def test_measures_refused(world, as_user, user, body, status):
    response = _post(as_user(user), f"tasks/{world.own.pk}/escalations", body)
    assert response.status_code == status
    assert not Escalation.objects.exists()


def test_a_measure_of_the_sweep_says_why_in_words(world, as_user):
    sweep.run(DAY)
    listed = as_user("office").get(f"/api/tasks/{world.own.pk}/escalations").json()
    by_trigger = {m["trigger"]: m for m in listed}
    assert "2020-12-31" in by_trigger["overdue"]["reason"]
    assert by_trigger["overdue"]["cause"] == "overdue:2020-12-31"
    assert not by_trigger["overdue"]["manual"]


# ----------------------------------------------------------------------- notifications


def test_notifications_are_listed_and_marked_read(world, as_user):
    _walk(world, "request_closeout")
    client = as_user("supervisor")
    body = client.get("/api/notifications").json()
    assert (body["count"], body["unread"]) == (1, 1)
    (note,) = body["results"]
    assert (note["kind"], note["task"], note["read_at"]) == (
        "closeout_requested",
        world.own.pk,
        None,
    )
    assert str(world.own.seq) in note["text"]
    marked = _post(client, "notifications/read", {"ids": [note["id"]]})
    assert marked.json() == {"marked": 1}
    body = client.get("/api/notifications?unread=true").json()
    assert (body["count"], body["unread"]) == (0, 0)
    assert client.get("/api/notifications").json()["count"] == 1


def test_marking_read_is_limited_to_ones_own(world, as_user):
    _walk(world, "request_closeout", "pass_review")  # the unit and the office are told
    unit_note = Notification.objects.get(user=world.users["unit_env"])
    office = as_user("office")
    assert _post(office, "notifications/read", {"ids": [unit_note.pk]}).status_code == 404
    assert _post(office, "notifications/read").json()["marked"] == 1
    unit_note.refresh_from_db()
    assert unit_note.read_at is None
    assert as_user("unit_env").get("/api/notifications").json()["unread"] == 1


def test_notifications_need_a_login(client, db):
    assert client.get("/api/notifications").status_code == 401
    assert _post(client, "notifications/read").status_code == 401


# ----------------------------------------------------------------------- reports


def test_a_report_names_the_period_it_is_for(world, as_user):
    response = as_user("unit_env").post(
        f"/api/tasks/{world.own.pk}/reports", {"text": "补报", "period": "2025-06-04"}
    )
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["period_start"] <= "2025-06-04" <= report["period_end"] < "2025-06-09"
    future = as_user("unit_env").post(
        f"/api/tasks/{world.own.pk}/reports", {"text": "x", "period": "2025-07-01"}
    )
    assert (future.status_code, future.json()["field"]) == (400, "period")


def test_rows_of_a_task_one_cannot_see_are_404(world, as_user):
    for path in ("objections", "lookbacks", "escalations"):
        assert as_user("unit_water").get(f"/api/tasks/{world.own.pk}/{path}").status_code == 404


def test_the_detail_reads_the_loop_without_a_query_per_row(world, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from closeout.ledger import services

    client = as_user("office")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/tasks/{world.own.pk}").status_code == 200
        return len(captured)

    _walk(world, "request_closeout", "pass_review")
    before = queries()
    for i in range(3):
        services.objection_lodge(actor=world.actor("public"), task_id=world.own.pk, text=f"异议{i}")
        services.escalation_issue(
            actor=world.actor("office"),
            task_id=world.own.pk,
            level="region_hold",
            reason="滞后",
            cause_key=f"doc-{i}",
        )
    assert queries() == before
