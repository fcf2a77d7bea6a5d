"""Units, unit status counts, plans, inspections."""

from __future__ import annotations

from closeout.ledger.tests.factories import InspectionFactory, PlanFactory, take


def _names(rows):
    return [r["name"] for r in rows]


def test_the_office_lists_every_unit_in_tree_order(world, as_user):
    body = as_user("office").get("/api/units").json()
    assert body["count"] == 8
    rows = body["results"]
    assert rows[0]["name"] == "济南市"
    assert rows[0]["parent"] is None
    by_name = {r["name"]: r for r in rows}
    assert by_name["历城区生态环境分局"]["parent"] == world.district_gov.pk
    assert by_name["历城区生态环境分局"]["path"].startswith(by_name["历城区"]["path"])
    assert set(rows[0]) == {
        "id",
        "name",
        "full_name",
        "kind",
        "level",
        "parent",
        "path",
        "depth",
        "active",
    }


def test_units_filter_by_parent_and_by_any_name(world, as_user):
    client = as_user("office")
    children = client.get(f"/api/units?parent={world.district.pk}").json()["results"]
    assert _names(children) == ["历城区政府"]
    # a former name finds the unit by its current name (市环保局 → 市生态环境局)
    assert _names(client.get("/api/units?q=市环保局").json()["results"]) == ["市生态环境局"]
    assert _names(client.get("/api/units?q=历城 分局").json()["results"]) == ["历城区生态环境分局"]


def test_a_unit_user_lists_only_its_own_subtree(world, as_user):
    rows = as_user("unit_licheng").get("/api/units").json()["results"]
    assert _names(rows) == ["历城区政府", "历城区生态环境分局"]


def test_units_are_paged(world, as_user):
    body = as_user("office").get("/api/units?page=2&page_size=3").json()
    assert body["count"] == 8
    assert len(body["results"]) == 3
    assert as_user("office").get("/api/units?page_size=1001").status_code == 422


def test_status_counts_roll_tasks_up_to_the_units_below_a_parent(world, as_user):
    take(world.actor("unit_env"), world.own, "request_closeout")
    rows = as_user("office").get(f"/api/units/status-counts?parent={world.city.pk}").json()
    counts = {r["name"]: (r["counts"], r["total"]) for r in rows}
    assert counts["市生态环境局"] == ({"requested": 1}, 1)
    assert counts["历城区"] == ({"in_progress": 1}, 1)  # led two levels down
    assert counts["市督导组"] == ({}, 0)
    supervising = (
        as_user("office")
        .get(f"/api/units/status-counts?parent={world.city.pk}&role=supervising")
        .json()
    )
    assert {r["name"]: r["total"] for r in supervising}["市督导组"] == 2


def test_status_counts_only_count_visible_tasks(world, as_user):
    rows = as_user("unit_env").get(f"/api/units/status-counts?parent={world.city.pk}").json()
    assert {r["name"]: r["total"] for r in rows} == {"市生态环境局": 1}


def test_plans_and_inspections_are_those_with_visible_tasks(world, as_user):
    other = PlanFactory(title="未涉及的方案")
    InspectionFactory(name="无关督察")
    office = as_user("office")
    assert {p["title"] for p in office.get("/api/plans").json()} == {world.plan.title, other.title}
    assert [p["title"] for p in as_user("unit_env").get("/api/plans").json()] == [world.plan.title]
    assert "无关督察" in _names(office.get("/api/inspections").json())
    assert as_user("unit_env").get("/api/inspections").json() == []
