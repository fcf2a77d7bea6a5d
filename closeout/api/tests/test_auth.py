"""Who gets in: sessions (with CSRF), bearer tokens, and nobody else."""

from __future__ import annotations

import pytest
from django.test import Client

from closeout.ledger.models import ApiToken, AuditEvent

PROTECTED = [
    ("get", "/api/tasks"),
    ("get", "/api/tasks/1"),
    ("get", "/api/tasks/1/history"),
    ("get", "/api/tasks/1/reports"),
    ("post", "/api/tasks/1/reports"),
    ("post", "/api/tasks/1/transitions/request_closeout"),
    ("patch", "/api/tasks/1"),
    ("get", "/api/units"),
    ("get", "/api/units/status-counts"),
    ("get", "/api/plans"),
    ("get", "/api/inspections"),
    ("get", "/api/me"),
    ("get", "/api/tokens"),
    ("post", "/api/tokens"),
    ("delete", "/api/tokens/1"),
    ("get", "/api/evidence/1"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_anonymous_requests_get_401(world, method, path):
    # enforce_csrf_checks: an anonymous POST must still say 401, not "CSRF failed".
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 401
    assert response.json()["field"] is None
    assert "Authorization" in response.json()["detail"]


def test_schema_and_docs_are_open_to_anonymous(world):
    assert Client().get("/api/openapi.json").status_code == 200
    assert Client().get("/api/docs").status_code == 200


def test_a_session_user_is_identified_by_me(as_user):
    body = as_user("unit_env").get("/api/me").json()
    assert body["username"] == "unit_env"
    assert body["role"] == "unit"
    assert body["unit"]["name"] == "市生态环境局"


def test_a_bearer_token_authenticates_as_its_owner(bearer):
    response = bearer("supervisor").get("/api/me")
    assert response.status_code == 200
    assert response.json()["username"] == "supervisor"
    assert response.json()["unit"]["name"] == "市督导组"


def test_a_wrong_token_gets_401_even_with_a_session(world):
    client = Client(headers={"authorization": "Bearer not-a-real-key"})
    client.force_login(world.users["office"])
    assert client.get("/api/me").status_code == 401


def test_a_token_is_created_by_a_session_and_shown_once(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["unit_env"])
    client.get("/api/me")  # any page that sets the CSRF cookie would do; set it directly:
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post(
        "/api/tokens",
        {"name": "script"},
        content_type="application/json",
        headers={"x-csrftoken": token},
    )
    assert response.status_code == 201, response.content
    key = response.json()["key"]
    assert ApiToken.objects.get(pk=response.json()["id"]).key_hash != key
    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["script"]
    assert "key" not in listed[0]
    me = Client(headers={"authorization": f"Bearer {key}"}).get("/api/me").json()
    assert me["username"] == "unit_env"
    assert AuditEvent.objects.filter(action="token.create", target_id=listed[0]["id"]).exists()


def test_an_unsafe_session_request_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["office"])
    response = client.post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not ApiToken.objects.exists()
    response = client.patch(
        f"/api/tasks/{world.own.pk}", {"target": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_token_request_needs_no_csrf_token(world, bearer):
    client = bearer("office")
    client.handler.enforce_csrf_checks = True
    response = client.patch(
        f"/api/tasks/{world.own.pk}", {"target": "新目标"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["target"] == "新目标"


def test_a_token_cannot_create_another_token(bearer):
    response = bearer("office").post("/api/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


def test_a_revoked_token_no_longer_works(world, bearer):
    client = bearer("unit_env")
    token = ApiToken.objects.get()
    assert client.get("/api/me").status_code == 200
    assert client.delete(f"/api/tokens/{token.pk}").status_code == 204
    assert client.get("/api/me").status_code == 401
    token.refresh_from_db()
    assert token.revoked
    assert AuditEvent.objects.filter(action="token.revoke", target_id=token.pk).count() == 1


def test_nobody_revokes_someone_elses_token(world, bearer):
    bearer("unit_env")
    theirs = ApiToken.objects.get()
    response = bearer("office").delete(f"/api/tokens/{theirs.pk}")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.revoked


def test_a_token_name_is_required(as_user):
    response = as_user("office").post("/api/tokens", {"name": ""}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == "name"
    assert response.json()["detail"].startswith("name: ")
