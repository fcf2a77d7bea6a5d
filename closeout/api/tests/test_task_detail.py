"""GET/PATCH /api/tasks/{id} and the append-only history."""

from __future__ import annotations

import pytest

from closeout.ledger.models import AuditEvent, Plan, Task


def test_the_detail_shows_the_five_clears_the_source_and_the_history(world, as_user):
    plan = world.plan
    Plan.objects.filter(pk=plan.pk).update(source_text="前言。加强饮用水水源保护。后记")
    Task.objects.filter(pk=world.own.pk).update(span_start=3, span_end=13)
    body = as_user("unit_env").get(f"/api/tasks/{world.own.pk}").json()
    assert body["id"] == world.own.pk
    assert body["source_excerpt"] == "加强饮用水水源保护。"
    assert body["acceptance_criteria"] == "生态修复、污染消除、群众满意"
    assert body["deadline"]["raw"] == "2020年年底"
    assert [p["text"] for p in body["persons"]] == ["市生态环境局主要负责人"]
    assert body["lead_units"][0]["name"] == "市生态环境局"
    assert [e["action"] for e in body["history"]] == ["task.create", "task.confirm"]
    assert body["history"][1]["before"] == {"status": "draft"}
    assert body["history"][1]["actor"] == "test-office"


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("unit_env", ["request_closeout"]),
        ("supervisor", []),
        ("leader", []),
        ("office", ["cancel", "request_closeout"]),
    ],
)
def test_the_detail_lists_only_the_transitions_open_to_the_caller(world, as_user, user, expected):
    body = as_user(user).get(f"/api/tasks/{world.own.pk}").json()
    assert sorted(t["name"] for t in body["transitions"]) == expected


def test_history_lists_events_oldest_first(world, as_user):
    history = as_user("supervisor").get(f"/api/tasks/{world.own.pk}/history").json()
    assert [e["action"] for e in history] == ["task.create", "task.confirm"]
    assert set(history[0]) == {"id", "at", "actor", "action", "before", "after", "note"}


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_no_endpoint_changes_or_deletes_the_history(world, as_user, method):
    client = as_user("office")
    before = list(AuditEvent.objects.values_list("id", "action", "note"))
    response = getattr(client, method)(
        f"/api/tasks/{world.own.pk}/history", {"note": "forged"}, content_type="application/json"
    )
    assert response.status_code == 405
    assert list(AuditEvent.objects.values_list("id", "action", "note")) == before


def test_no_route_exposes_audit_events_for_writing(world, as_user):
    client = as_user("office")
    event = AuditEvent.objects.filter(task=world.own).first()
    for path in (
        f"/api/history/{event.pk}",
        f"/api/events/{event.pk}",
        f"/api/tasks/{world.own.pk}/history/{event.pk}",
    ):
        assert client.delete(path).status_code == 404
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_office_edits_a_task_and_the_change_is_audited(world, as_user):
    response = as_user("office").patch(
        f"/api/tasks/{world.own.pk}",
        {
            "target": "水质稳定达到III类",
            "measures": ["排查", "整治"],
            "due_date": "2021-03-31",
            "category": "water",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["target"] == "水质稳定达到III类"
    assert body["measures"] == ["排查", "整治"]
    assert body["deadline"]["due"] == "2021-03-31"
    assert body["category"] == "water"
    event = AuditEvent.objects.filter(task=world.own, action="task.update").get()
    assert event.after["target"] == "水质稳定达到III类"
    assert event.before["due_date"] == "2020-12-31"
    # fields not sent are left alone
    assert Task.objects.get(pk=world.own.pk).deadline_raw == "2020年年底"


@pytest.mark.parametrize(
    ("user", "status"),
    [("unit_env", 403), ("supervisor", 403), ("leader", 403), ("unit_water", 404)],
)
def test_only_the_office_may_edit_a_task(world, as_user, user, status):
    response = as_user(user).patch(
        f"/api/tasks/{world.own.pk}", {"target": "改了"}, content_type="application/json"
    )
    assert response.status_code == status
    assert Task.objects.get(pk=world.own.pk).target == ""
    assert not AuditEvent.objects.filter(action="task.update").exists()


def test_an_invalid_edit_is_rejected_naming_the_field(world, as_user):
    client = as_user("office")
    response = client.patch(
        f"/api/tasks/{world.own.pk}", {"measures": "not a list"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == "measures"
    response = client.patch(
        f"/api/tasks/{world.own.pk}", {"text": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "text"


def test_a_missing_task_is_a_404(world, as_user):
    response = as_user("office").get("/api/tasks/999999")
    assert response.status_code == 404
    assert response.json()["field"] is None
