"""The OpenAPI 3 schema and the docs page, served without any CDN."""

from __future__ import annotations

import json
import re

from django.test import Client

PATHS = {
    "/api/tasks": {"get"},
    "/api/tasks/{task_id}": {"get", "patch"},
    "/api/tasks/{task_id}/history": {"get"},
    "/api/tasks/{task_id}/reports": {"get", "post"},
    "/api/tasks/{task_id}/transitions/{name}": {"post"},
    "/api/tasks/{task_id}/closeout-request": {"post"},
    "/api/tasks/{task_id}/objections": {"get", "post"},
    "/api/objections/{objection_id}/answer": {"post"},
    "/api/objections/{objection_id}/spam": {"post"},
    "/api/tasks/{task_id}/lookbacks": {"get"},
    "/api/lookbacks/{check_id}": {"post"},
    "/api/tasks/{task_id}/escalations": {"get", "post"},
    "/api/escalations/{escalation_id}/respond": {"post"},
    "/api/escalations/{escalation_id}/lift": {"post"},
    "/api/notifications": {"get"},
    "/api/notifications/read": {"post"},
    "/api/units": {"get"},
    "/api/units/status-counts": {"get"},
    "/api/plans": {"get"},
    "/api/inspections": {"get"},
    "/api/me": {"get"},
    "/api/tokens": {"get", "post"},
    "/api/tokens/{token_id}": {"delete"},
    "/api/evidence/{evidence_id}": {"get"},
}


def test_the_openapi_schema_is_valid_json_listing_every_path(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {p: set(ops) for p, ops in schema["paths"].items()} == PATHS
    security = schema["components"]["securitySchemes"]
    assert {s["type"] for s in security.values()} == {"http", "apiKey"}
    params = {p["name"] for p in schema["paths"]["/api/tasks"]["get"]["parameters"]}
    assert {
        "unit",
        "unit_role",
        "status",
        "due_from",
        "due_to",
        "category",
        "inspection",
        "plan",
        "q",
        "immediate",
        "ongoing",
        "sort",
        "page",
        "page_size",
    } <= params
    # history is read-only in the contract too
    assert set(schema["paths"]["/api/tasks/{task_id}/history"]) == {"get"}


def test_the_docs_page_loads_only_our_own_assets(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset  # no other host
        assert Client().get(asset).status_code == 200, asset
    # No address of a content delivery network anywhere (a random token may spell "cdn").
    assert not re.search(r"(?:https?:)?//[\w.-]*cdn", html.lower())
