"""Every API route, driven with generated input that fits the schema and input that does
not (schemathesis over /api/openapi.json, in process through the WSGI application), as
the office with a bearer token: no answer is a server error, and every refusal has the
API's error shape {"detail": str, "field": str | null}.

Bounded and reproducible: a fixed number of examples per route and mode, derandomized
(the same inputs on every run), no example database, no deadline. A failure prints the
request that caused it (schemathesis shows it as a curl command)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from closeout.ledger import services
from closeout.ledger.access import Actor

EXAMPLES = 10

# Generated ids are mostly ones that exist nowhere (404); small ones are mapped onto the
# world's objects so that the routes get past their lookups, too.
ID_PARAMETERS = ("task_id", "objection_id", "check_id", "escalation_id", "evidence_id")


def _schema() -> Any:
    from closeout.wsgi import application

    config = SchemathesisConfig.from_dict(
        {"seed": 11, "generation": {"mode": "all", "deterministic": True}}
    )
    # The schema is read without a database: the route is open and has no query.
    return schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=config)


schema = _schema()


@pytest.fixture
def in_test_transaction():
    """Keep the test's connection open across the requests, as Django's test client
    does: at the end of a request the WSGI handler closes a connection that is inside a
    transaction, which is where a test's data lives (PostgreSQL)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def office_key(world) -> str:
    user = world.users["office"]
    _, key = services.token_create(actor=Actor.of(user), user=user, name="fuzz")
    return key


def _real_ids(case: Any, world: Any) -> None:
    tasks = [world.own.pk, world.child.pk, world.foreign.pk]
    for name, value in (case.path_parameters or {}).items():
        is_int = isinstance(value, int) and not isinstance(value, bool)
        if name == "task_id" and is_int and 0 <= value < 2 * len(tasks):
            case.path_parameters[name] = tasks[value % len(tasks)]


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """A refusal is JSON with a text `detail` and a `field` that is text or null."""
    if response.status_code < 400 or response.status_code >= 500:
        return None
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(
            f"{response.status_code} without a JSON body: {response.content[:200]!r}"
        ) from None
    assert isinstance(body, dict), body
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert "field" in body and (body["field"] is None or isinstance(body["field"], str)), body
    return True


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_the_api_fail(case, world, office_key, in_test_transaction):
    _real_ids(case, world)
    response = case.call(headers={"Authorization": f"Bearer {office_key}"})
    case.validate_response(response, checks=[not_a_server_error, error_shape])
