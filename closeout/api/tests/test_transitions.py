"""POST /api/tasks/{id}/transitions/{name}: the close-out (销号) steps through the API."""

from __future__ import annotations

import pytest

from closeout.ledger.models import AuditEvent, Task


def _take(client, task, name, note=None):
    body = {} if note is None else {"note": note}
    return client.post(
        f"/api/tasks/{task.pk}/transitions/{name}", body, content_type="application/json"
    )


def test_a_close_out_runs_from_request_to_filing(world, as_user):
    unit, supervisor, office = as_user("unit_env"), as_user("supervisor"), as_user("office")
    steps = [
        (unit, "request_closeout", "requested"),
        (supervisor, "pass_review", "notice"),
        (office, "end_notice", "verification"),
        (supervisor, "verify", "verified"),
        (office, "file", "closed"),
    ]
    for client, name, status in steps:
        response = _take(client, world.own, name, note="同意")
        assert response.status_code == 200, (name, response.content)
        assert response.json()["status"] == status
    task = Task.objects.get(pk=world.own.pk)
    assert task.status == "closed"
    assert task.closed_on is not None
    actions = list(
        AuditEvent.objects.filter(task=world.own)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions[-5:] == [f"task.{name}" for _, name, _ in steps]


def test_the_response_lists_what_the_caller_may_do_next(world, as_user):
    body = _take(as_user("unit_env"), world.own, "request_closeout").json()
    assert [t["name"] for t in body["transitions"]] == ["withdraw_request"]


def test_a_transition_needs_no_body(world, as_user):
    response = as_user("unit_env").post(
        f"/api/tasks/{world.own.pk}/transitions/request_closeout", content_type="application/json"
    )
    assert response.status_code == 200


def test_a_unit_never_approves_its_own_close_out(world, as_user):
    _take(as_user("unit_env"), world.own, "request_closeout")
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
    _take(as_user("unit_env"), world.own, "request_closeout")
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
