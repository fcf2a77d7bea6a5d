"""The plan review page at scale: a page of tasks at a time with the needs-attention
filter, names decided once for all their occurrences, units and persons assigned from
the page, the default supervising unit, the unit search; in a real browser at the end."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from closeout import samples
from closeout.ledger import selectors, services
from closeout.ledger.models import (
    AuditEvent,
    Plan,
    Task,
    TaskPerson,
    TaskUnit,
    UnitAlias,
    UnitProposal,
)
from closeout.ledger.tests.bigplan import big_plan
from closeout.ledger.tests.factories import PASSWORD

SMALL = """济南市水源保护整改方案
一、主要措施
1.清理饮用水水源保护区违法建筑。(责任单位:市生态环境局、市水务局;整改时限:2019年底)
2.开展水源地规范化建设。(责任单位:市生态环境局;整改时限:立行立改)
"""
# The review page's queries whatever the plan's size (see test_review.REVIEW_QUERIES),
# plus the session, the user, the profile and the page's own (messages, navigation).
PAGE_QUERIES = 24


def _import(world, data: bytes, name: str = "plan.txt") -> Plan:
    return services.plan_import(world.actor("office"), data=data, name=name).plan


def _office(client, world):
    client.force_login(world.users["office"])
    return client


def _review(plan: Plan, **query) -> str:
    url = reverse("web:plan_review", args=[plan.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_a_plan_of_391_tasks_is_reviewed_a_page_at_a_time_in_few_queries(
    client, world, django_assert_max_num_queries
):
    plan = _import(world, big_plan(), "big.txt")
    _office(client, world)
    with django_assert_max_num_queries(PAGE_QUERIES):
        first = client.get(_review(plan))
    assert first.status_code == 200
    html = first.content.decode()
    assert html.count('data-testid="review-task"') == 50
    assert html.count('data-testid="name-group"') == 40
    assert 'data-testid="review-pager"' in html and "?page=2" in html
    # The registry is not rendered into the rows: one shared, empty datalist.
    # Per task: the part selects of its one unit and of its add form; no unit options.
    assert html.count("<datalist") == 1 and html.count('<option value="lead"') == 50 * 2
    with django_assert_max_num_queries(PAGE_QUERIES):
        last = client.get(_review(plan, page=8, attention=1))
    assert last.content.decode().count('data-testid="review-task"') == 41
    # A page past the end goes back to the first.
    assert client.get(_review(plan, page=99)).status_code == 302


def test_one_decision_resolves_every_occurrence_of_a_name(client, world):
    plan = _import(world, big_plan(), "big.txt")
    _office(client, world)
    text = "市未知7局"
    assert UnitProposal.objects.filter(task__plan=plan, text=text).count() == 10
    response = client.post(
        reverse("web:plan_name_decide", args=[plan.pk]),
        {"text": text, "choice": "", "unit": "市城乡水务局", "alias": "on", "page": "3"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?page=3")
    assert not UnitProposal.objects.filter(task__plan=plan, text=text, decided=False).exists()
    assert TaskUnit.objects.filter(task__plan=plan, unit=world.water, role="lead").count() == 10
    assert UnitAlias.objects.filter(unit=world.water, name=text).exists()
    page = client.get(_review(plan)).content.decode()
    assert page.count('data-testid="name-group"') == 39 and f'data-name="{text}"' not in page
    dropped = client.post(
        reverse("web:plan_name_decide", args=[plan.pk]), {"text": "市未知8局", "choice": "drop"}
    )
    assert dropped.status_code == 302
    assert AuditEvent.objects.filter(action="plan.decide_name").count() == 2


def test_a_name_decision_without_a_choice_is_shown_beside_the_name(client, world):
    plan = _import(world, SMALL.encode())
    _office(client, world)
    bad = client.post(
        reverse("web:plan_name_decide", args=[plan.pk]),
        {"text": "市水务局", "choice": "", "unit": "没有这个单位"},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    row = html[html.index('data-name="市水务局"') :]
    assert "没有这个单位" in row[: row.index("</tr>")]
    assert not UnitProposal.objects.filter(decided=True).exists()


def test_units_and_persons_are_assigned_from_the_page(client, world):
    plan = _import(world, SMALL.encode())
    task = Task.objects.get(plan=plan, seq=2)
    _office(client, world)
    add = reverse("web:plan_task_unit_add", args=[plan.pk, task.pk])
    ok = client.post(add, {f"a{task.pk}-unit": "市督导组", f"a{task.pk}-role": "supervising"})
    assert ok.status_code == 302 and ok["Location"].endswith(f"#task-{task.pk}")
    supervising = TaskUnit.objects.get(task=task, role="supervising")
    assert supervising.unit == world.supervising
    # A unit responsible for the task cannot supervise it: said in the task's card.
    bad = client.post(add, {f"a{task.pk}-unit": "市生态环境局", f"a{task.pk}-role": "supervising"})
    assert bad.status_code == 400
    card = bad.content.decode().split(f'id="task-{task.pk}"')[1]
    assert f'id="unit-add-{task.pk}-errors"' in card
    change = reverse("web:plan_task_unit_change", args=[plan.pk, supervising.pk])
    label = f"市审计局 (济南市) #{world.audit.pk}"
    client.post(
        change, {f"ae{supervising.pk}-unit": label, f"ae{supervising.pk}-role": "supervising"}
    )
    supervising.refresh_from_db()
    assert supervising.unit == world.audit
    client.post(reverse("web:plan_task_unit_remove", args=[plan.pk, supervising.pk]))
    assert not TaskUnit.objects.filter(pk=supervising.pk).exists()
    person = reverse("web:plan_task_person_add", args=[plan.pk, task.pk])
    client.post(
        person,
        {f"p{task.pk}-text": "市生态环境局局长", f"p{task.pk}-unit": "市生态环境局",
         f"p{task.pk}-post": "局长", f"p{task.pk}-role": "responsible"},
    )  # fmt: skip
    added = TaskPerson.objects.get(task=task, text="市生态环境局局长")
    assert added.unit == world.env and added.post == "局长"
    client.post(
        reverse("web:plan_task_person_change", args=[plan.pk, added.pk]),
        {f"pe{added.pk}-text": "市生态环境局副局长", f"pe{added.pk}-unit": "",
         f"pe{added.pk}-post": "副局长", f"pe{added.pk}-role": "responsible"},
    )  # fmt: skip
    added.refresh_from_db()
    assert (added.text, added.unit, added.post) == ("市生态环境局副局长", None, "副局长")
    client.post(reverse("web:plan_task_person_remove", args=[plan.pk, added.pk]))
    assert not TaskPerson.objects.filter(pk=added.pk).exists()


def test_the_default_supervisor_and_the_needs_attention_filter(client, world):
    plan = _import(world, SMALL.encode())
    _office(client, world)
    before = client.get(_review(plan, attention=1)).content.decode()
    assert before.count('data-testid="review-task"') == 2 and 'data-lacks="supervising"' in before
    refused = client.post(reverse("web:plan_confirm", args=[plan.pk]), follow=True)
    assert "2" in refused.content.decode() and Plan.objects.get(pk=plan.pk).status == "draft"
    response = client.post(
        reverse("web:plan_default_supervisor", args=[plan.pk]), {"default-unit": "市督导组"}
    )
    assert response.status_code == 302
    assert TaskUnit.objects.filter(task__plan=plan, role="supervising").count() == 2
    services.proposal_name_decide(
        world.actor("office"), plan_id=plan.pk, text="市水务局", unit_id=world.water.pk
    )
    after = client.get(_review(plan, attention=1)).content.decode()
    assert 'data-testid="review-task"' not in after and 'data-testid="review-empty"' in after
    assert client.post(reverse("web:plan_confirm", args=[plan.pk])).status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == "confirmed"
    # A confirmed plan is read, no longer changed.
    page = client.get(_review(plan)).content.decode()
    assert 'data-testid="unit-add"' not in page and 'data-testid="name-decide"' not in page
    task = Task.objects.filter(plan=plan).first()
    late = client.post(
        reverse("web:plan_task_unit_add", args=[plan.pk, task.pk]),
        {f"a{task.pk}-unit": "市审计局", f"a{task.pk}-role": "coop"},
    )
    assert (
        late.status_code == 400
        and not TaskUnit.objects.filter(task__plan=plan, unit=world.audit).exists()
    )


def test_the_unit_search_answers_the_picker_and_works_without_javascript(client, world):
    plan = _import(world, SMALL.encode())
    _office(client, world)
    url = reverse("web:plan_review_units", args=[plan.pk])
    data = client.get(url, {"q": "水务", "format": "json"}).json()
    assert [u["id"] for u in data["units"]] == [world.water.pk]
    assert data["units"][0]["label"] == f"市城乡水务局 (济南市) #{world.water.pk}"
    page = client.get(url, {"q": "水务"})
    assert page.status_code == 200 and f"#{world.water.pk}" in page.content.decode()
    assert client.get(url, {"q": "x" * 101, "format": "json"}).status_code == 400
    client.force_login(world.users["unit_env"])
    assert client.get(url, {"q": "水务", "format": "json"}).status_code == 403
    assert (
        client.post(
            reverse("web:plan_name_decide", args=[plan.pk]), {"text": "市水务局", "choice": "drop"}
        ).status_code
        == 403
    )


try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser test needs playwright
    expect = None


@pytest.mark.browser
@pytest.mark.skipif(expect is None and not os.environ.get("CI"), reason="no playwright")
def test_the_office_reviews_a_seed_plan_in_bulk_and_confirms_it(
    page, live_server, transactional_db, world
):
    from closeout.web.tests.screens import shot

    office = world.actor("office")
    name = "004_compilation.txt"  # the compiled plans: 61 names the registry does not know
    plan = services.plan_import(office, data=samples.plan_bytes(name), name=name).plan
    text = "市生态环境局"
    occurrences = UnitProposal.objects.filter(task__plan=plan, text=text).count()
    assert occurrences > 10
    base = live_server.url
    page.set_default_timeout(30_000)  # full-page screenshots of a long page take a while
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill("office")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the role's first screen
    page.goto(f"{base}{_review(plan)}")
    expect(page.locator("[data-testid=review-task]")).to_have_count(50)
    # Where each field was read: the words of the task's source it came from, marked.
    source = page.locator("[data-testid=review-task] [data-testid=source]")
    deadline = source.locator("mark[data-field~=deadline]")
    expect(deadline).to_have_count(5)
    expect(deadline.first).to_be_visible()
    title = deadline.first.get_attribute("title") or ""
    assert "整改时限" in title or "Deadline" in title
    assert deadline.first.inner_text() in plan.source_text
    background = deadline.first.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    groups = page.locator("[data-testid=name-group]")
    expect(groups).to_have_count(61)
    shot(page, "plan-review")
    row = page.locator(f"[data-testid=name-group][data-name='{text}']")
    expect(row.locator("[data-testid=name-count]")).to_contain_text(str(occurrences))
    # The candidate the importer found (this registry's 市生态环境局) is chosen at once.
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(groups).to_have_count(60)
    expect(page.locator(f"[data-testid=name-group][data-name='{text}']")).to_have_count(0)
    assert not UnitProposal.objects.filter(task__plan=plan, text=text, decided=False).exists()
    assert TaskUnit.objects.filter(task__plan=plan, unit=world.env).count() >= occurrences - 1
    # The other names and the tasks the plan gives no unit at all: decided off-screen,
    # as the office would one name at a time.
    for group in selectors.name_groups(plan.pk):
        services.proposal_name_decide(office, plan_id=plan.pk, text=group.text, unit_id=None)
    for task in Task.objects.filter(plan=plan).exclude(assignments__role="lead"):
        services.task_unit_add(office, task_id=task.pk, unit_id=world.water.pk, role="lead")
    page.reload()
    page.locator("[data-testid=filter-attention]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=review-task]")).to_have_count(50)
    expect(page.locator("[data-testid=review-task] [data-lacks=supervising]")).to_have_count(50)
    # The supervising unit, typed with the picker's suggestions, for every task at once.
    picker = page.locator("[data-testid=default-supervisor-form] input[name=default-unit]")
    picker.press_sequentially("督导")
    expect(page.locator("#review-units option")).to_have_count(1)
    suggestion = page.locator("#review-units option").first.get_attribute("value")
    assert suggestion == f"市督导组 (济南市) #{world.supervising.pk}"
    picker.fill(suggestion)
    page.locator("[data-testid=default-supervisor-form] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=review-empty]")).to_be_visible()
    shot(page, "plan-review-ready")
    page.locator("[data-testid=confirm-form] button[type=submit]").click()
    page.wait_for_url(f"{base}/tasks/")
    assert Plan.objects.get(pk=plan.pk).status == "confirmed"
    assert set(Task.objects.filter(plan=plan).values_list("status", flat=True)) == {"in_progress"}
