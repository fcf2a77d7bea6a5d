"""The ledger table's page (/tasks/): the schedule-status column and filters the office
overview links to, invalid values reported on the form (never a 500), the column
choice, saved views, the roll-up by problem and plan; and in a real browser, a phone
(390 px) sees cards, not a clipped table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from closeout.ledger import services
from closeout.ledger.models import SavedView, Task, TaskState
from closeout.ledger.rules.workflow import Status
from closeout.ledger.tests.factories import PASSWORD, PlanFactory, ProblemFactory, make_task
from closeout.web.tests import screens


def _login(client, world, role="office"):
    client.force_login(world.users[role])
    return client


def _listed(response):
    return {row.task.pk for row in response.context["rows"]}


def _bucket(task, bucket):
    TaskState.objects.filter(task_id=task.pk).update(bucket=bucket)


def test_the_schedule_status_is_a_column_of_every_row(client, world):
    _bucket(world.own, "behind")
    response = _login(client, world).get(reverse("web:task_list"))
    assert response.status_code == 200
    buckets = {row.task.pk: row.bucket for row in response.context["rows"]}
    assert buckets == {
        world.own.pk: "behind",
        world.child.pk: "overdue",
        world.foreign.pk: "overdue",
    }
    html = response.content.decode()
    assert 'data-bucket="behind"' in html and 'data-column="bucket"' in html


def test_the_bucket_filter_takes_several_buckets(client, world):
    _bucket(world.own, "done")
    _bucket(world.child, "behind")
    _login(client, world)
    url = reverse("web:task_list")
    assert _listed(client.get(url, {"bucket": "done"})) == {world.own.pk}
    assert _listed(client.get(url, {"bucket": ["done", "behind"]})) == {
        world.own.pk,
        world.child.pk,
    }


def test_the_overviews_links_are_understood(client, world):
    """/tasks/?bucket=overdue&unit=N&plan=N&category=…&inspection=N&district=N and the
    loop's flags, as the office overview links to them."""
    office = world.actor("office")
    TaskState.objects.filter(task_id=world.child.pk).update(missed_reports=1)
    Task.objects.filter(pk=world.own.pk).update(rebounds=2)
    services.escalation_issue(
        actor=office, task_id=world.child.pk, level="warning", reason="滞后", cause_key="K1"
    )
    _login(client, world)
    url = reverse("web:task_list")
    query = {
        "bucket": "overdue",
        "unit": world.supervising.pk,
        "role": "supervising",
        "plan": world.plan.pk,
        "category": world.child.category,
        "district": world.district.pk,
    }
    if world.child.inspection_id:
        query["inspection"] = world.child.inspection_id
    response = client.get(url, query)
    assert not response.context["form"].errors
    assert _listed(response) == {world.child.pk}
    assert _listed(client.get(url, {"missing": "1"})) == {world.child.pk}
    assert _listed(client.get(url, {"escalated": "1"})) == {world.child.pk}
    assert _listed(client.get(url, {"rebounded": "1"})) == {world.own.pk}
    assert _listed(client.get(url, {"notice": "1"})) == set()
    Task.objects.filter(pk=world.foreign.pk).update(status=Status.NOTICE)
    assert _listed(client.get(url, {"notice": "1"})) == {world.foreign.pk}
    assert _listed(client.get(url, {"notice": "0", "rebounded": "0"})) == {world.child.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"bucket": "late"}, "bucket"),
        ({"missing": "maybe"}, "missing"),
        ({"escalated": "2"}, "escalated"),
        ({"notice": "yes"}, "notice"),
        ({"rebounded": "x"}, "rebounded"),
        ({"district": "999999"}, "district"),
        ({"district": "abc"}, "district"),
        ({"inspection": "999999"}, "inspection"),
        ({"role": "boss"}, "role"),
        ({"problem": "-1"}, "problem"),
        ({"problem": str(2**70)}, "problem"),
        ({"col": "salary"}, "col"),
    ],
)
def test_invalid_values_are_reported_on_the_form_never_a_500(client, world, query, field):
    response = _login(client, world).get(reverse("web:task_list"), query)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _listed(response) == {world.own.pk, world.child.pk, world.foreign.pk}


def test_the_columns_are_chosen_and_ordered_by_col(client, world):
    _login(client, world)
    response = client.get(reverse("web:task_list"), {"col": ["bucket", "seq", "missed", "plan"]})
    keys = [h.key for h in response.context["headers"]]
    assert keys == ["bucket", "seq", "missed", "plan"]
    html = response.content.decode()
    row = html[html.index(f'data-task="{world.own.pk}"') :]
    row = row[: row.index("</tr>")]
    order = [row.index(f'data-column="{k}"') for k in keys]
    assert order == sorted(order)
    assert 'data-column="task"' not in row
    # The picker lists the shown columns first, checked, in their order.
    choices = response.context["column_choices"]
    assert [c.key for c in choices[:4]] == keys and all(c.shown for c in choices[:4])
    assert not any(c.shown for c in choices[4:])


def test_without_col_the_default_columns_show(client, world):
    response = _login(client, world).get(reverse("web:task_list"))
    keys = [h.key for h in response.context["headers"]]
    assert keys[:3] == ["seq", "problem", "task"] and "bucket" in keys


def test_a_view_is_saved_listed_opened_and_deleted(client, world):
    _login(client, world)
    response = client.post(
        reverse("web:savedview_create"),
        {"name": "逾期的", "query": "bucket=overdue&page=2", "columns": ["task", "bucket"]},
    )
    view = SavedView.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:savedview_open", args=[view.pk])
    opened = client.get(response["Location"])
    assert opened["Location"] == reverse("web:task_list") + "?bucket=overdue&col=task&col=bucket"
    page = client.get(opened["Location"])
    assert [h.key for h in page.context["headers"]] == ["task", "bucket"]
    assert [v.name for v in page.context["saved_views"]] == ["逾期的"]
    assert reverse("web:savedview_open", args=[view.pk]) in page.content.decode()
    listing = client.get(reverse("web:savedview_list"))
    assert listing.status_code == 200 and "逾期的" in listing.content.decode()
    deleted = client.post(reverse("web:savedview_delete", args=[view.pk]))
    assert deleted.status_code == 302 and not SavedView.objects.exists()


def test_a_second_view_of_the_same_name_gets_a_clear_error(client, world):
    _login(client, world)
    data = {"name": "我的", "query": "", "columns": ["task"]}
    client.post(reverse("web:savedview_create"), data)
    response = client.post(reverse("web:savedview_create"), data)
    assert response.status_code == 400
    assert "name" in response.context["save_form"].errors
    assert "我的" in response.content.decode()
    assert SavedView.objects.count() == 1


def test_nobody_opens_or_deletes_another_users_view(client, world):
    view = SavedView.objects.create(user=world.users["office"], name="v", columns=["task"])
    _login(client, world, "leader")
    assert client.get(reverse("web:savedview_open", args=[view.pk])).status_code == 404
    assert client.post(reverse("web:savedview_delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert list(client.get(reverse("web:task_list")).context["saved_views"]) == []


def test_the_problem_view_rolls_up_tasks_and_plans(client, world, django_assert_max_num_queries):
    _bucket(world.own, "done")
    _bucket(world.child, "sustained")
    _login(client, world)
    url = reverse("web:problem_list")
    response = client.get(url)
    assert response.status_code == 200
    (row,) = response.context["page"].rows
    assert (row.rollup.tasks, row.rollup.finished, row.rollup.done) == (3, 2, False)
    (plan,) = response.context["plans"]
    assert (plan.rollup.problems, plan.rollup.problems_done) == (1, 0)
    _bucket(world.foreign, "done")
    html = client.get(url).content.decode()
    assert 'data-testid="problem-done" data-done="1"' in html
    # The same filter as the list; invalid values reported, never a 500.
    bad = client.get(url, {"bucket": "late", "missing": "x"})
    assert bad.status_code == 200 and {"bucket", "missing"} <= set(bad.context["form"].errors)
    # As many queries for twelve problems as for one: no query per problem or plan.
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    plan = PlanFactory(published=True)
    for seq in range(1, 12):
        make_task(ProblemFactory(plan=plan, seq=seq), seq, world.env)
    with django_assert_max_num_queries(len(one)):
        many = client.get(url)
    assert len(many.context["page"].rows) == 12 and len(many.context["plans"]) == 2


def test_a_problems_link_lists_its_tasks(client, world):
    response = _login(client, world).get(
        reverse("web:task_list"), {"problem": world.own.problem_id}
    )
    assert _listed(response) == {world.own.pk, world.child.pk, world.foreign.pk}
    assert _listed(client.get(reverse("web:task_list"), {"problem": 999_999})) == set()


# ----------------------------------------------------------------------------- browser


def _log_in(page, base, username):
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the role's first screen
    page.goto(f"{base}/tasks/")  # the ledger, whatever the role's first screen


@pytest.mark.browser
def test_on_a_phone_the_ledger_is_cards_without_horizontal_scroll(
    page, live_server, transactional_db, world
):
    from playwright.sync_api import expect

    Task.objects.filter(pk=world.own.pk).update(
        text="整改任务:全面排查饮用水水源保护区内违法建设项目和排污口" * 3
    )
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server.url, "unit_env")
    row = page.locator(f"tr[data-task='{world.own.pk}']")
    expect(row).to_be_visible()
    # A card: the row is as wide as the screen allows, its cells stacked, and the
    # schedule status shown in it with its label.
    bucket = row.locator("[data-testid=bucket]")
    expect(bucket).to_be_visible()
    expect(bucket).to_have_attribute("data-bucket", "overdue")
    label = row.locator("td[data-column=bucket]").evaluate(
        "td => getComputedStyle(td, '::before').content"
    )
    assert label.strip('"') == row.locator("td[data-column=bucket]").get_attribute("data-label")
    assert page.locator("table.ledger thead").evaluate("h => h.getBoundingClientRect().height") <= 1
    box = row.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for summary in ("more-filters", "column-picker", "saved-views"):
        page.locator(f"[data-testid={summary}] > summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screens.shot(page, "ledger")
    page.goto(f"{live_server.url}/tasks/problems/")
    expect(page.locator("[data-testid=problem-rollups]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screens.shot(page, "ledger-problems")


@pytest.mark.browser
def test_the_office_picks_orders_and_saves_columns(page, live_server, transactional_db, world):
    from playwright.sync_api import expect

    _log_in(page, live_server.url, "office")
    expect(page.locator("th[data-column=bucket]")).to_be_visible()
    screens.shot(page, "ledger")
    page.locator("[data-testid=column-picker] > summary").click()
    picker = page.locator("[data-columns]")
    picker.locator("li[data-column=problem] input").uncheck()
    picker.locator("li[data-column=missed] input").check()
    # Move the schedule status up to the top, one step at a time.
    while picker.locator("li").first.get_attribute("data-column") != "bucket":
        picker.locator("li[data-column=bucket] [data-move=up]").click()
    page.locator("[data-testid=filters] button[type=submit]").click()
    page.wait_for_url("**/tasks/?*")
    heads = page.locator("table.ledger thead th")
    expect(heads.first).to_have_attribute("data-column", "bucket")
    expect(page.locator("th[data-column=problem]")).to_have_count(0)
    expect(page.locator("th[data-column=missed]")).to_have_count(1)
    # Save the view, then open it from the list.
    page.locator("[data-testid=saved-views] > summary").click()
    page.locator("[data-testid=save-view] input[name=name]").fill("状态在前")
    page.locator("[data-testid=save-view] button[type=submit]").click()
    page.wait_for_url("**/tasks/?*")
    expect(page.locator("table.ledger thead th").first).to_have_attribute("data-column", "bucket")
    page.goto(f"{live_server.url}/tasks/")
    expect(page.locator("th[data-column=problem]")).to_have_count(1)
    page.locator("[data-testid=saved-views] > summary").click()
    page.locator("[data-testid=saved-views] a", has_text="状态在前").click()
    page.wait_for_url("**/tasks/?*")
    expect(page.locator("th[data-column=problem]")).to_have_count(0)
    expect(page.locator("table.ledger thead th").first).to_have_attribute("data-column", "bucket")
