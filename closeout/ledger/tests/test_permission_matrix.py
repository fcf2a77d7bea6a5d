"""The permission matrix: every action against every role, through the rules
(`access.allowed`), the services, the API and the pages. One table of expectations
(ALLOWED) drives all four, so a rule changed in access.py without the interfaces
following, or an interface that decides on its own, fails here.

The roles stand in every relation a person can have to the task: the office, the office
user who requested its current close-out (separation of duties), its lead and its
cooperating unit, a unit with no part in it, its supervising unit, a supervising unit of
another task, a leader, and an anonymous visitor. Each action is tried from the state it
is taken in; every attempt runs in a savepoint that is rolled back, so one set-up serves
all roles, and an attempt counts as done only when its effect is there.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from closeout.ledger import access
from closeout.ledger.errors import DomainError, NotFound, NotPermitted
from closeout.ledger.rules.workflow import Status, transition_rules
from closeout.ledger.tests.matrix import (
    FROM_STATE,
    Matrix,
    attempt,
    build,
    call_api,
    call_service,
    clients,
    form_of,
    offered,
    page_outcome,
    prepare,
)

ROLES = (
    "office",
    "requester",
    "lead",
    "coop",
    "other_unit",
    "supervisor",
    "other_supervisor",
    "leader",
    "public",
)
OFFICE = {"office", "requester"}
RESPONSIBLE = {"lead", "coop"}
# Who may take each action on the task (its state aside). The requester is an office
# user and may do what the office does, except approve the close-out it asked for or
# settle its objections.
ALLOWED: dict[str, set[str]] = {
    "view": OFFICE | RESPONSIBLE | {"supervisor", "leader", "public"},
    "edit": OFFICE,
    "report": OFFICE | RESPONSIBLE,
    "transition": OFFICE | RESPONSIBLE | {"supervisor"},
    "admin": set(),  # the admin is for superusers, whatever their role (test_admin.py)
    "confirm": OFFICE,
    "cancel": OFFICE,
    "request_closeout": OFFICE | RESPONSIBLE,
    "withdraw_request": OFFICE | RESPONSIBLE,
    "pass_review": {"office", "supervisor"},
    "end_notice": {"office"},
    "verify": {"office", "supervisor"},
    "file": {"office"},
    "send_back": {"office", "supervisor"},
    "reopen": OFFICE | {"supervisor"},
    "escalate": OFFICE | {"supervisor"},
    "respond": RESPONSIBLE,  # the office lifts; it does not answer its own measures
    "lift": OFFICE,
    "lodge_objection": {"public", "other_unit", "other_supervisor"},
    "answer_objection": {"office", "supervisor"},
    "mark_spam": {"office"},
    "record_lookback": OFFICE | {"supervisor"},
}
# Who sees the task (a refusal is a 404 for the others): a published plan, so the public
# does; a draft is the office's (and the leaders') until it is confirmed.
SEES = OFFICE | RESPONSIBLE | {"supervisor", "leader", "public"}
SEES_DRAFT = OFFICE | {"leader"}


def test_the_table_names_every_action_of_the_rules():
    assert set(ALLOWED) == set(access.ACTIONS)
    assert set(access.ACTIONS) >= set(transition_rules())


@pytest.fixture
def m(db) -> Matrix:
    return build()


def refusal(role: str, action: str) -> str:
    sees = SEES_DRAFT if FROM_STATE.get(action) == Status.DRAFT else SEES
    return "403" if role in sees else "404"


# --------------------------------------------------------------------------- the rules

RULE_ACTIONS = sorted(ALLOWED)


@pytest.mark.parametrize("action", RULE_ACTIONS)
def test_rules(m, action):
    s = prepare(m, action)
    got = {role: access.allowed(m.actor(role), action, s.task) for role in ROLES}
    assert got == {role: role in ALLOWED[action] for role in ROLES}


# --------------------------------------------------------------------------- the services

# "transition" (any transition at all) and "admin" are the rules' summaries: each
# transition is tried on its own, the admin below.
SERVICE_ACTIONS = sorted(set(ALLOWED) - {"admin", "transition"})


@pytest.mark.parametrize("action", SERVICE_ACTIONS)
def test_services(m, action):
    s = prepare(m, action)

    def run(role: str) -> str:
        try:
            call_service(action, m.actor(role), s)
        except NotPermitted:
            return "403"
        except NotFound:
            return "404"
        except DomainError as error:
            return f"{type(error).__name__}: {error.message}"
        return "ok"

    got = {role: attempt(lambda role=role: run(role), action, s) for role in ROLES}
    expected = {role: "ok" if role in ALLOWED[action] else refusal(role, action) for role in ROLES}
    assert got == expected


# --------------------------------------------------------------------------- the API

API_ACTIONS = SERVICE_ACTIONS


@pytest.mark.parametrize("action", API_ACTIONS)
def test_api(m, action):
    s = prepare(m, action)
    signed_in = clients(m)

    def run(role: str) -> str:
        response = call_api(action, signed_in[role], s)
        return "ok" if response.status_code in (200, 201) else str(response.status_code)

    got = {role: attempt(lambda role=role: run(role), action, s) for role in ROLES}
    expected = {role: "ok" if role in ALLOWED[action] else refusal(role, action) for role in ROLES}
    expected["public"] = "401"  # the API needs a login; visitors use the pages
    assert got == expected


@pytest.mark.parametrize("name", sorted(transition_rules()))
def test_the_api_offers_a_transition_to_exactly_those_who_may_take_it(m, name):
    s = prepare(m, name)
    shown = {}
    for role, client in clients(m).items():
        response = client.get(f"/api/tasks/{s.task.pk}")
        listed = response.json()["transitions"] if response.status_code == 200 else []
        shown[role] = name in [t["name"] for t in listed]
    assert shown == {role: role in ALLOWED[name] and role != "public" for role in ROLES}


# --------------------------------------------------------------------------- the pages

# The page has no form to edit a task (the office edits in the admin, see test_admin).
PAGE_ACTIONS = sorted(set(ALLOWED) - {"admin", "edit", "view", "transition"})
LOGIN_FREE = {"lodge_objection"}  # the only form a visitor may send


@pytest.mark.parametrize("action", PAGE_ACTIONS)
def test_pages(m, action):
    """Each role's page offers the action's form exactly when the role may use it, and
    sending the form does what the table says."""
    s = prepare(m, action)
    signed_in = clients(m)

    def shows(role: str) -> bool:
        page = signed_in[role].get(reverse("web:task_detail", args=[s.task.pk]))
        if role == "public" and page.status_code == 302:
            # a visitor reads the task's public page, whose only form is the objection
            page = signed_in[role].get(page["Location"])
            return (
                page.status_code == 200
                and action == "lodge_objection"
                and page.context["objection_form"] is not None
            )
        return page.status_code == 200 and offered(action, page.context, s)

    def run(role: str) -> str:
        url, data = form_of(action, s)  # afresh: an uploaded file is read once
        return page_outcome(signed_in[role].post(url, data), s.task.pk)

    shown = {role: shows(role) for role in ROLES}
    got = {role: attempt(lambda role=role: run(role), action, s) for role in ROLES}
    sees = SEES_DRAFT if s.state == Status.DRAFT else SEES
    assert shown == {role: role in ALLOWED[action] and role in sees for role in ROLES}
    expected = {role: "ok" if role in ALLOWED[action] else refusal(role, action) for role in ROLES}
    if action not in LOGIN_FREE:
        expected["public"] = "login"
    assert got == expected


def test_the_task_page_is_shown_to_those_who_see_the_task(m):
    got = {}
    for role, client in clients(m).items():
        # a visitor who may see the task is sent to its public page
        got[role] = page_outcome(
            client.get(reverse("web:task_detail", args=[m.task.pk])), m.task.pk
        )
    got = {role: "ok" if code == "200" else code for role, code in got.items()}
    assert got == {role: "ok" if role in ALLOWED["view"] else "404" for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_admin(m, role):
    """No role gets into the admin (superusers do); for everyone every admin action (view,
    edit, transition through an admin action, reports) is refused before it starts."""
    client = clients(m)[role]
    task = m.task
    attempts = {
        "view": client.get(f"/admin/ledger/task/{task.pk}/change/"),
        "list": client.get("/admin/ledger/task/"),
        "edit": client.post(f"/admin/ledger/task/{task.pk}/change/", {"target": "改"}),
        "transition": client.post(
            "/admin/ledger/task/", {"action": "request_closeout", "_selected_action": [task.pk]}
        ),
        "report": client.get("/admin/ledger/progressreport/"),
    }
    if role in ALLOWED["admin"]:
        assert attempts["view"].status_code == 200
        assert attempts["list"].status_code == 200
        assert attempts["report"].status_code == 200
    else:
        for name, response in attempts.items():
            assert response.status_code == 302, name
            assert "/admin/login/" in response["Location"], name
        task.refresh_from_db()
        assert task.target == "" and task.status == Status.IN_PROGRESS
