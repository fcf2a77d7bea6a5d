"""GET /api/tasks: every filter, sorting, paging, visibility per role, query count."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from closeout.ledger import services
from closeout.ledger.access import Actor
from closeout.ledger.models import Role
from closeout.ledger.tests.factories import (
    SIGNED_IN_VISIBLE,
    InspectionFactory,
    PlanFactory,
    ProblemFactory,
    make_task,
    take,
)

OFFICE = Actor(role=Role.OFFICE, label="test-office")


def _confirmed(task):
    services.task_transition(actor=OFFICE, task_id=task.pk, name="confirm")
    return task


@pytest.fixture
def ledger(world):
    """The world plus `river` (water, immediate, 2021, its own inspection and a problem
    about black and odorous water) and `late` (air, ongoing, 2019, in a second plan)."""
    inspection = InspectionFactory(name="中央第三生态环境保护督察组督察")
    problem = ProblemFactory(
        plan=world.plan, seq=2, inspection=inspection, title="城市黑臭水体整治不力"
    )
    river = _confirmed(
        make_task(
            problem,
            4,
            world.env,
            world.supervising,
            text="开展河涌清淤",
            category="water",
            due_date=dt.date(2021, 6, 30),
            deadline_raw="立行立改",
            immediate=True,
        )
    )
    plan2 = PlanFactory(published=True)
    late = _confirmed(
        make_task(
            ProblemFactory(plan=plan2, seq=1),
            1,
            world.water,
            text="淘汰燃煤锅炉",
            category="air",
            due_date=dt.date(2019, 12, 31),
            ongoing=True,
        )
    )
    return SimpleNamespace(world=world, river=river, late=late, inspection=inspection, plan2=plan2)


def _ids(client, query=""):
    response = client.get(f"/api/tasks?{query}")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _names(ledger, ids):
    tasks = {
        "own": ledger.world.own,
        "child": ledger.world.child,
        "foreign": ledger.world.foreign,
        "river": ledger.river,
        "late": ledger.late,
    }
    return {name for name, task in tasks.items() if task.pk in ids}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"own", "child", "foreign", "river", "late"}),
        ("unit={city}", {"own", "child", "foreign", "river", "late"}),
        ("unit={district}", {"child"}),  # the lead is two levels below 历城区
        ("unit={env}", {"own", "river"}),
        ("unit={supervising}&unit_role=supervising", {"own", "child", "river"}),
        ("unit={supervising}&unit_role=lead", set()),
        ("status=in_progress", {"child", "foreign", "river", "late"}),
        ("status=requested", {"own"}),
        ("status=requested&status=in_progress", {"own", "child", "foreign", "river", "late"}),
        ("due_from=2020-12-31&due_to=2021-01-31", {"own", "child", "foreign"}),
        ("due_from=2021-01-01", {"river"}),
        ("due_to=2020-01-01", {"late"}),
        ("category=water", {"river"}),
        ("inspection={inspection}", {"river"}),
        ("plan={plan2}", {"late"}),
        ("q=黑臭", {"river"}),  # problem title
        ("q=清淤", {"river"}),  # task text
        ("q=整改任务1 饮用水", {"own"}),  # every word must occur
        ("q=不存在的词", set()),
        ("immediate=true", {"river"}),
        ("ongoing=true", {"late"}),
        ("ongoing=false&immediate=false", {"own", "child", "foreign"}),
    ],
)
def test_each_filter_narrows_the_list(ledger, as_user, query, expected):
    w = ledger.world
    take(w.actor("unit_env"), w.own, "request_closeout")
    query = query.format(
        city=w.city.pk,
        district=w.district.pk,
        env=w.env.pk,
        supervising=w.supervising.pk,
        inspection=ledger.inspection.pk,
        plan2=ledger.plan2.pk,
    )
    assert _names(ledger, _ids(as_user("office"), query)) == expected


def test_a_row_carries_the_problem_deadline_and_units(ledger, as_user):
    rows = as_user("office").get("/api/tasks?q=清淤").json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["problem"]["title"] == "城市黑臭水体整治不力"
    assert row["plan"] == ledger.world.plan.pk
    assert row["inspection"] == ledger.inspection.pk
    assert row["category"] == "water"
    assert row["status"] == "in_progress"
    assert row["status_label"]
    assert row["deadline"] == {
        "raw": "立行立改",
        "due": "2021-06-30",
        "immediate": True,
        "ongoing": False,
    }
    assert row["lead_units"] == [{"id": ledger.world.env.pk, "name": "市生态环境局"}]
    assert row["supervising_units"] == [{"id": ledger.world.supervising.pk, "name": "市督导组"}]
    assert row["coop_units"] == []
    assert row["updated_at"]


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [("due_date", "late", "river"), ("-due_date", "river", "late")],
)
def test_the_list_is_sorted_as_asked(ledger, as_user, sort, first, last):
    rows = as_user("office").get(f"/api/tasks?sort={sort}").json()["results"]
    assert _names(ledger, {rows[0]["id"]}) == {first}
    assert _names(ledger, {rows[-1]["id"]}) == {last}


def test_sorting_by_id_descending_reverses_ids(ledger, as_user):
    ids = [r["id"] for r in as_user("office").get("/api/tasks?sort=-id").json()["results"]]
    assert ids == sorted(ids, reverse=True)


def test_pages_split_the_list_without_overlap(ledger, as_user):
    client = as_user("office")
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/tasks?sort=id&page={page}&page_size=2").json()
        assert body["count"] == 5
        assert body["page"] == page
        assert body["page_size"] == 2
        seen += [r["id"] for r in body["results"]]
    assert len(seen) == 5 == len(set(seen))
    beyond = client.get("/api/tasks?page=4&page_size=2").json()
    assert beyond["results"] == []
    assert beyond["count"] == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page=x", "page"),
        ("status=bogus", "status"),
        ("due_from=yesterday", "due_from"),
        ("category=bogus", "category"),
    ],
)
def test_out_of_range_parameters_are_rejected_naming_the_parameter(world, as_user, query, field):
    response = as_user("office").get(f"/api/tasks?{query}")
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["detail"].startswith(f"{field}: ")


def test_the_default_page_size_is_fifty_and_two_hundred_is_allowed(world, as_user):
    assert as_user("office").get("/api/tasks").json()["page_size"] == 50
    assert as_user("office").get("/api/tasks?page_size=200").status_code == 200


def test_an_unknown_sort_key_is_a_400_naming_sort(world, as_user):
    response = as_user("office").get("/api/tasks?sort=bogus")
    assert response.status_code == 400
    assert response.json()["field"] == "sort"


def test_an_unknown_unit_is_a_404(world, as_user):
    assert as_user("office").get("/api/tasks?unit=999999").status_code == 404


@pytest.mark.parametrize(("user", "expected"), sorted(SIGNED_IN_VISIBLE.items()))
def test_each_role_lists_and_opens_only_the_tasks_access_allows(world, as_user, user, expected):
    client = as_user(user)
    listed = {r["id"] for r in client.get("/api/tasks").json()["results"]}
    assert {n for n in ("own", "child", "foreign") if getattr(world, n).pk in listed} == expected
    for name in ("own", "child", "foreign"):
        task_id = getattr(world, name).pk
        for path in (
            f"/api/tasks/{task_id}",
            f"/api/tasks/{task_id}/history",
            f"/api/tasks/{task_id}/reports",
        ):
            assert client.get(path).status_code == (200 if name in expected else 404), path


def test_a_login_without_a_profile_sees_only_published_tasks(world, client):
    stranger = get_user_model().objects.create_user("stranger", password="x")
    client.force_login(stranger)
    assert len(client.get("/api/tasks").json()["results"]) == 3
    world.plan.published = False
    world.plan.save()
    assert client.get("/api/tasks").json()["count"] == 0
    assert client.get(f"/api/tasks/{world.own.pk}").status_code == 404


def test_a_page_costs_the_same_few_queries_however_many_rows(
    world, as_user, django_assert_max_num_queries
):
    client = as_user("office")
    client.get("/api/tasks")  # warm up: session, caches
    with django_assert_max_num_queries(7):
        assert len(client.get("/api/tasks").json()["results"]) == 3
    problem = ProblemFactory(plan=world.plan, seq=9)
    for seq in range(10, 40):
        make_task(problem, seq, world.env, world.supervising)
    with django_assert_max_num_queries(7):
        assert len(client.get("/api/tasks").json()["results"]) == 33
