"""POST /api/tasks/{id}/transitions/{name}: the close-out (销号) steps through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from closeout.api.tests.conftest import TINY_PDF
from closeout.ledger import clock, services
from closeout.ledger.models import AuditEvent, Task
from closeout.ledger.tests.factories import take

# A Monday inside the holiday calendar: the public notice runs to Friday 2025-06-13.
DAY = dt.date(2025, 6, 9)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(DAY):
        yield


def _take(client, task, name, note=None, data=None):
    body = {} if note is None else {"note": note}
    if data is not None:
        body["data"] = data
    return client.post(
        f"/api/tasks/{task.pk}/transitions/{name}", body, content_type="application/json"
    )


ASSESSMENT = {"生态修复": "植被已恢复", "污染消除": "水质达标", "群众满意": "回访满意"}


def _with_evidence(world):
    """Evidence on the task already (a progress report's file), so that the close-out
    request may go as JSON."""
    services.report_create(
        actor=world.actor("unit_env"),
        task_id=world.own.pk,
        text="整改完成",
        files=[services.Upload("验收报告.pdf", TINY_PDF)],
    )


def test_a_close_out_runs_from_request_to_filing(world, as_user):
    _with_evidence(world)
    unit, supervisor, office = as_user("unit_env"), as_user("supervisor"), as_user("office")
    steps = [
        (unit, "request_closeout", "requested", {"assessment": ASSESSMENT}, DAY),
        (supervisor, "pass_review", "notice", None, DAY),
        (office, "end_notice", "verification", None, dt.date(2025, 6, 16)),
        (
            supervisor,
            "verify",
            "verified",
            {"checked_on": "2025-06-16", "inspectors": "市督导组 张三、李四"},
            dt.date(2025, 6, 16),
        ),
        (office, "file", "closed", {"number": "济整改办备〔2025〕12号"}, dt.date(2025, 6, 17)),
    ]
    for client, name, status, data, day in steps:
        with clock.frozen_at(day):
            response = _take(client, world.own, name, note="同意", data=data)
        assert response.status_code == 200, (name, response.content)
        assert response.json()["status"] == status
    task = Task.objects.get(pk=world.own.pk)
    assert task.status == "closed"
    assert task.closed_on == dt.date(2025, 6, 17)
    actions = list(
        AuditEvent.objects.filter(task=world.own, action__startswith="task.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions[-5:] == [f"task.{name}" for _, name, *_ in steps]
    body = response.json()
    assert [s["kind"] for s in body["steps"]] == [
        "request",
        "review",
        "notice_end",
        "verify",
        "file",
    ]
    assert body["steps"][0]["data"]["assessment"] == ASSESSMENT
    assert body["steps"][1]["data"]["notice_until"] == "2025-06-13"
    assert body["steps"][3]["data"]["inspectors"] == "市督导组 张三、李四"
    assert body["steps"][4]["data"]["number"] == "济整改办备〔2025〕12号"
    assert body["bucket"] == "done"


def test_the_response_lists_what_the_caller_may_do_next(world, as_user):
    _with_evidence(world)
    body = _take(
        as_user("unit_env"), world.own, "request_closeout", data={"assessment": ASSESSMENT}
    ).json()
    assert [t["name"] for t in body["transitions"]] == ["withdraw_request"]


def test_a_transition_needs_no_body(world, as_user):
    take(world.actor("unit_env"), world.own, "request_closeout")
    response = as_user("supervisor").post(
        f"/api/tasks/{world.own.pk}/transitions/pass_review", content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "notice"


def test_a_unit_never_approves_its_own_close_out(world, as_user):
    take(world.actor("unit_env"), world.own, "request_closeout")
    response = _take(as_user("unit_env"), world.own, "pass_review")
    assert response.status_code == 403
    assert Task.objects.get(pk=world.own.pk).status == "requested"


def test_a_transition_from_the_wrong_state_is_a_conflict(world, as_user):
    response = _take(as_user("supervisor"), world.own, "pass_review")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert Task.objects.get(pk=world.own.pk).status == "in_progress"


def test_a_supervisor_of_another_task_gets_404(world, as_user):
    response = _take(as_user("supervisor_audit"), world.own, "request_closeout")
    assert response.status_code == 404


def test_sending_back_needs_a_reason(world, as_user):
    take(world.actor("unit_env"), world.own, "request_closeout")
    response = _take(as_user("supervisor"), world.own, "send_back", note="  ")
    assert response.status_code == 400
    assert response.json()["field"] == "note"
    response = _take(as_user("supervisor"), world.own, "send_back", note="佐证材料不全")
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert AuditEvent.objects.get(action="task.send_back").note == "佐证材料不全"


@pytest.mark.parametrize("name", ["fly", "save", "delete"])
def test_an_unknown_transition_is_a_400(world, as_user, name):
    response = _take(as_user("office"), world.own, name)
    assert response.status_code == 400
    assert response.json()["field"] == "transition"
