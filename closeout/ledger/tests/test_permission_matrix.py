"""The permission matrix: every role against every action (view, edit, report,
transition, admin) on tasks of its own unit, of a unit below it and of a foreign unit,
through the rules, the API and the admin. One table of expectations drives all three.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from closeout.ledger import access, services
from closeout.ledger.access import Actor
from closeout.ledger.models import AssignmentRole, Role, Task, UnitKind, UnitLevel
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.factories import PlanFactory, ProblemFactory, make_users, unit

ROLES = ("office", "leader", "unit", "supervisor", "public")
RELATIONS = ("own", "child", "foreign")
ACTIONS = ("view", "edit", "report", "transition", "admin")

# Which (role, relation) pairs may take each action. "own" is the actor's unit, "child" a
# unit below it, "foreign" anything else; office and leader have no unit, so for them the
# three tasks differ only in who leads them.
ALLOWED = {
    "view": {("office", r) for r in RELATIONS}
    | {("leader", r) for r in RELATIONS}
    | {("unit", "own"), ("unit", "child"), ("supervisor", "own"), ("supervisor", "child")},
    "edit": {("office", r) for r in RELATIONS},
    "report": {("office", r) for r in RELATIONS} | {("unit", "own"), ("unit", "child")},
    "transition": {("office", r) for r in RELATIONS}
    | {("unit", "own"), ("unit", "child"), ("supervisor", "own"), ("supervisor", "child")},
    "admin": {("office", r) for r in RELATIONS},
}
# The transition each role tries, from "requested" (申请销号): the unit withdraws its
# request, everyone else tries the preliminary review (初审).
TRANSITION = {"unit": "withdraw_request"}
PUBLIC_VIEW_BY_RULE = True  # published plan: the rules let the public read; the API needs a login


@pytest.fixture
def matrix(db):
    office = Actor(role=Role.OFFICE, label="setup")
    city = unit("济南市", UnitKind.REGION, UnitLevel.CITY)
    a = unit("市生态环境局", UnitKind.DEPARTMENT, UnitLevel.CITY, city)
    a1 = unit("市生态环境局历城分局", UnitKind.DEPARTMENT, UnitLevel.COUNTY, a)
    b = unit("市城乡水务局", UnitKind.DEPARTMENT, UnitLevel.CITY, city)
    s = unit("市整改办督导组", UnitKind.GROUP_OFFICE, UnitLevel.CITY, city)
    s1 = unit("第一督导小组", UnitKind.GROUP_OFFICE, UnitLevel.CITY, s)
    t = unit("市审计局", UnitKind.DEPARTMENT, UnitLevel.CITY, city)
    plan = PlanFactory(published=True)
    problem = ProblemFactory(plan=plan)
    tasks = {}
    for i, (relation, lead, sup) in enumerate(
        [("own", a, s), ("child", a1, s1), ("foreign", b, t)], start=1
    ):
        task = services.task_create(
            actor=office,
            problem=problem,
            seq=i,
            text=f"任务{i}",
            units=[
                services.UnitRef(lead, AssignmentRole.LEAD),
                services.UnitRef(sup, AssignmentRole.SUPERVISING),
            ],
        )
        task = services.task_transition(actor=office, task_id=task.pk, name="confirm")
        tasks[relation] = task
    users: dict[str, Any] = make_users(
        office,
        office=(Role.OFFICE, None),
        leader=(Role.LEADER, None),
        unit=(Role.UNIT, a),
        supervisor=(Role.SUPERVISOR, s),
    )
    users["public"] = None
    return tasks, users


CASES = [(role, relation, action) for role in ROLES for relation in RELATIONS for action in ACTIONS]


def _client(users, role) -> Client:
    client = Client()
    if users[role] is not None:
        client.force_login(users[role])
    return client


def _expected(role, relation, action) -> bool:
    return (role, relation) in ALLOWED[action]


@pytest.mark.parametrize(("role", "relation", "action"), CASES)
def test_rules(matrix, role, relation, action):
    tasks, users = matrix
    task = tasks[relation]
    if action == "transition":
        Task.objects.filter(pk=task.pk).update(status=Status.REQUESTED)
        task.refresh_from_db()
    actor = Actor.of(users[role])
    expected = _expected(role, relation, action)
    if role == "public" and action == "view":
        expected = PUBLIC_VIEW_BY_RULE
    assert access.allowed(actor, action, task) is expected


def _api(client: Client, role, task, action):
    url = f"/api/tasks/{task.pk}"
    if action == "view":
        return client.get(url)
    if action == "edit":
        return client.patch(
            url, json.dumps({"target": "PM2.5年均浓度下降"}), content_type="application/json"
        )
    if action == "report":
        return client.post(f"{url}/reports", {"text": "本周完成排查", "percent": 30})
    if action == "transition":
        name = TRANSITION.get(role, "pass_review")
        return client.post(
            f"{url}/transitions/{name}", json.dumps({"note": ""}), content_type="application/json"
        )
    return client.get("/api/tasks")  # "admin" has no API form; listing must still work


@pytest.mark.parametrize(("role", "relation", "action"), CASES)
def test_api(matrix, role, relation, action):
    tasks, users = matrix
    task = tasks[relation]
    if action == "transition":
        Task.objects.filter(pk=task.pk).update(status=Status.REQUESTED)
    client = _client(users, role)
    response = _api(client, role, task, action)
    if role == "public":
        assert response.status_code == 401
        return
    if action == "admin":
        assert response.status_code == 200
        return
    expected = _expected(role, relation, action)
    if expected:
        assert response.status_code in (200, 201), response.content
    else:
        # Tasks a role may not see are hidden (404); visible ones are refused (403).
        visible = _expected(role, relation, "view")
        assert response.status_code == (403 if visible else 404), response.content
    task.refresh_from_db()
    if action == "edit":
        assert (task.target == "PM2.5年均浓度下降") is expected
    if action == "report":
        assert task.reports.exists() is expected
    if action == "transition":
        assert (task.status != Status.REQUESTED) is expected


@pytest.mark.parametrize(("role", "relation"), [(r, x) for r in ROLES for x in RELATIONS])
def test_admin(matrix, role, relation):
    """Only the office gets into the admin; for everyone else every admin action (view,
    edit, transition through an admin action, reports) is refused before it starts."""
    tasks, users = matrix
    task = tasks[relation]
    client = _client(users, role)
    attempts = {
        "view": client.get(f"/admin/ledger/task/{task.pk}/change/"),
        "list": client.get("/admin/ledger/task/"),
        "edit": client.post(f"/admin/ledger/task/{task.pk}/change/", {"target": "改"}),
        "transition": client.post(
            "/admin/ledger/task/", {"action": "request_closeout", "_selected_action": [task.pk]}
        ),
        "report": client.get("/admin/ledger/progressreport/"),
    }
    if _expected(role, relation, "admin"):
        assert attempts["view"].status_code == 200
        assert attempts["list"].status_code == 200
        assert attempts["report"].status_code == 200
    else:
        for name, response in attempts.items():
            assert response.status_code == 302, name
            assert "/admin/login/" in response["Location"], name
        task.refresh_from_db()
        assert task.target == "" and task.status == Status.IN_PROGRESS
