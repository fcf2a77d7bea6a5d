"""Staff logins never reach visitors: the public task page (history, close-out steps,
progress reports) names the unit, or the role, instead of the login; signed-in readers
see logins as `closeout.ledger.selectors.people` decides, on the pages and in the API
alike."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import AssignmentRole, Role
from closeout.ledger.selectors.people import Acting, actor_label, sees_login
from closeout.ledger.services import UnitRef
from closeout.ledger.tests.factories import make_users, take

# Logins no page would print by chance.
UNIT_LOGIN, SUPERVISOR_LOGIN, OFFICE_LOGIN = "wang-env-7731", "li-sup-5520", "zhao-off-1188"


@pytest.fixture
def acted(world):
    """A published, confirmed task led by 市生态环境局 with 市城乡水务局 cooperating:
    reported on by the unit, edited by the office, its close-out requested by the unit
    and passed by the supervising unit (now on public notice)."""
    office = Actor(role=Role.OFFICE, label="setup")
    users = make_users(
        office,
        **{
            UNIT_LOGIN: (Role.UNIT, world.env),
            SUPERVISOR_LOGIN: (Role.SUPERVISOR, world.supervising),
            OFFICE_LOGIN: (Role.OFFICE, None),
        },
    )
    task = services.task_create(
        actor=office,
        problem=world.own.problem,
        seq=9,
        text="整改任务9:河道清淤",
        units=[
            UnitRef(world.env, AssignmentRole.LEAD),
            UnitRef(world.water, AssignmentRole.COOP),
            UnitRef(world.supervising, AssignmentRole.SUPERVISING),
        ],
        deadline_raw="2026年年底",
    )
    as_ = {name: Actor.of(user) for name, user in users.items()}
    take(as_[OFFICE_LOGIN], task, "confirm")
    services.report_create(actor=as_[UNIT_LOGIN], task_id=task.pk, text="已清淤三公里", percent=40)
    services.task_update(
        actor=as_[OFFICE_LOGIN], task_id=task.pk, changes={"target": "水质达到Ⅲ类"}
    )
    take(as_[UNIT_LOGIN], task, "request_closeout")
    take(as_[SUPERVISOR_LOGIN], task, "pass_review")
    return task


LOGINS = (UNIT_LOGIN, SUPERVISOR_LOGIN, OFFICE_LOGIN)


def _page(client, task) -> str:
    response = client.get(reverse("web:task_detail", args=[task.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _reader(world, name) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def test_a_visitor_is_sent_to_the_public_page_which_names_units_never_logins(client, acted):
    response = client.get(reverse("web:task_detail", args=[acted.pk]))
    assert response.url == reverse("web:public_task", args=[acted.pk])
    page = client.get(response.url).content.decode()
    assert "市生态环境局" in page  # the unit …
    for login in LOGINS:
        assert login not in page  # … but nobody's login


@pytest.mark.parametrize("reader", ["office", "leader", "supervisor"])
def test_those_who_hold_units_to_account_see_every_login(world, acted, reader):
    page = _page(_reader(world, reader), acted)
    for login in LOGINS:
        assert login in page


def test_a_unit_sees_its_own_logins_and_other_units_by_name(world, acted):
    lead = _page(_reader(world, "unit_env"), acted)
    assert UNIT_LOGIN in lead
    assert SUPERVISOR_LOGIN not in lead and OFFICE_LOGIN not in lead
    cooperating = _page(_reader(world, "unit_water"), acted)
    for login in LOGINS:
        assert login not in cooperating
    assert "市生态环境局" in cooperating


def test_the_api_names_actors_by_the_same_rule(world, acted):
    detail, history = f"/api/tasks/{acted.pk}", f"/api/tasks/{acted.pk}/history"
    cooperating = _reader(world, "unit_water")
    body = cooperating.get(detail).json()
    assert {s["actor"] for s in body["steps"]} == {"市生态环境局", "市督导组"}
    shown = {e["actor"] for e in body["history"]} | {
        e["actor"] for e in cooperating.get(history).json()
    }
    assert not shown & set(LOGINS)
    assert {"市生态环境局", "整改办"} <= shown
    office = _reader(world, "office").get(detail).json()
    assert {s["actor"] for s in office["steps"]} == {UNIT_LOGIN, SUPERVISOR_LOGIN}


def test_the_rule(world):
    env = Acting(Role.UNIT, "市生态环境局", world.env.path)
    child = Acting(Role.UNIT, "历城区生态环境分局", world.district_env.path)
    office = Acting(Role.OFFICE)
    public = Actor.of(None)
    assert not sees_login(public, env) and not sees_login(public, office)
    assert actor_label(public, env, "someone") == "市生态环境局"
    assert actor_label(public, office, "someone") == "整改办"
    assert actor_label(public, None, "sweep") == "系统"
    assert actor_label(world.actor("office"), None, "anonymous") == "公众"
    licheng = world.actor("unit_licheng")  # 历城区政府: the district's own units below it
    assert sees_login(licheng, child) and not sees_login(licheng, env)
    assert not sees_login(world.actor("unit_env"), office)
    for reader in ("office", "leader", "supervisor", "supervisor_audit"):
        assert sees_login(world.actor(reader), env), reader

