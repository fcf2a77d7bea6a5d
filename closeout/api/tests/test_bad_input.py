"""Malformed input is refused with a 4xx in the API's error shape, never a 500: integers
past 64 bits, text no database stores (a lone surrogate, NUL), bodies that are not JSON
or are over the size limit, routes and methods that do not exist. The checks live in
closeout.api.params and closeout.api.errors, once for every route."""

from __future__ import annotations

import json

import pytest

from closeout.api.params import INT_MAX

BIG = str(2**70)


def refused(response, status: int, field: str | None = None) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["field"] == field, body
    return body["detail"]


@pytest.mark.parametrize(
    "path, field",
    [
        (f"/api/tasks?unit={BIG}", "unit"),
        (f"/api/tasks?plan={BIG}", "plan"),
        (f"/api/tasks?inspection={BIG}", "inspection"),
        (f"/api/tasks?page={BIG}", "page"),
        (f"/api/tasks?page={INT_MAX}", "page"),  # its offset would overflow
        (f"/api/tasks?page_size={BIG}", "page_size"),
        (f"/api/units?parent={BIG}", "parent"),
        (f"/api/units?page={BIG}", "page"),
        (f"/api/units/status-counts?parent={BIG}", "parent"),
        (f"/api/notifications?page={BIG}", "page"),
        ("/api/tasks?unit=-1", "unit"),
    ],
)
def test_an_integer_out_of_range_in_a_query_is_a_422_naming_it(bearer, path, field):
    refused(bearer("office").get(path), 422, field)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/tasks/{BIG}",
        f"/api/tasks/{BIG}/history",
        f"/api/tasks/{BIG}/reports",
        f"/api/tasks/{BIG}/lookbacks",
        f"/api/tasks/{BIG}/escalations",
        f"/api/evidence/{BIG}",
    ],
)
def test_an_id_out_of_range_in_a_path_is_not_found(bearer, path):
    refused(bearer("office").get(path), 404)


def test_an_integer_out_of_range_in_a_body_is_refused(bearer):
    response = bearer("office").post(
        "/api/notifications/read",
        data=json.dumps({"ids": [2**70]}),
        content_type="application/json",
    )
    refused(response, 400, "ids")
    response = bearer("office").post(
        "/api/notifications/read", data='{"ids": [1e999]}', content_type="application/json"
    )
    refused(response, 400, "ids")


def _send(client, method: str, path: str, raw: str):
    return getattr(client, method)(path, data=raw, content_type="application/json")


@pytest.mark.parametrize("text", ["\\ud800", "a\\udfffb", "\\u0000", "ab\\u0000"])
def test_text_no_database_stores_is_refused_naming_the_field(world, bearer, text):
    client = bearer("office")
    task = world.own.pk
    refused(_send(client, "patch", f"/api/tasks/{task}", f'{{"text": "{text}"}}'), 400, "text")
    nested = f'{{"note": "", "data": {{"assessment": {{"生态修复": "{text}"}}}}}}'
    response = _send(client, "post", f"/api/tasks/{task}/transitions/request_closeout", nested)
    refused(response, 400, "data.assessment.生态修复")
    raw = f'{{"level": "reminder", "reason": "{text}", "cause": "x"}}'
    refused(_send(client, "post", f"/api/tasks/{task}/escalations", raw), 400, "reason")


def test_text_no_database_stores_is_refused_in_the_assessment_form_field(world, bearer):
    response = bearer("unit_env").post(
        f"/api/tasks/{world.own.pk}/closeout-request", {"assessment": '{"生态修复": "\\ud800"}'}
    )
    refused(response, 400, "assessment.生态修复")


def test_text_with_nul_is_refused_in_a_query_and_a_form(world, bearer):
    client = bearer("office")
    refused(client.get("/api/tasks", {"q": "a\x00b"}), 400, "q")
    response = bearer("unit_env").post(f"/api/tasks/{world.own.pk}/reports", {"text": "a\x00b"})
    refused(response, 400, "text")


@pytest.mark.parametrize("raw", ["{nope", '{"text": NaN}', "[" * 100_000])
def test_a_body_that_is_not_json_is_a_400(world, bearer, raw):
    detail = refused(_send(bearer("office"), "patch", f"/api/tasks/{world.own.pk}", raw), 400)
    assert "JSON" in detail


def test_a_body_over_the_size_limit_is_a_413(world, bearer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = bearer("office")
    raw = json.dumps({"text": "x" * 2000})
    refused(_send(client, "patch", f"/api/tasks/{world.own.pk}", raw), 413)
    response = bearer("unit_env").post(f"/api/tasks/{world.own.pk}/reports", {"text": "x" * 2000})
    refused(response, 413)


def test_a_route_that_does_not_exist_is_a_404_in_the_error_shape(bearer):
    client = bearer("office")
    refused(client.get("/api/nothing-here"), 404)
    refused(client.get("/api/tasks/not-a-number"), 404)
    refused(client.post("/api/tasks/1/transitions"), 404)


def test_a_method_a_route_does_not_answer_is_a_405_in_the_error_shape(world, bearer):
    response = bearer("office").delete(f"/api/tasks/{world.own.pk}/history")
    refused(response, 405)
    assert "GET" in response["Allow"]
