"""Every role in a real browser, walking the whole loop on a sample plan (the Jinan 2018
rectification plan, one of the seed documents), each on the screen it starts on:

1. the office (整改办) imports the plan on the upload page, gives every task a supervising
   unit on the review page, confirms the plan and publishes it on the public portal;
2. the sweep freezes the week; the office's overview and the leader's board (挂图作战)
   show it, their charts drawn by the server;
3. the responsible unit, on a 390 px phone, reports from "what I owe" and requests the
   close-out (销号) of a task;
4. the supervising unit passes the preliminary review (初审) from its queue: the public
   notice (公示) begins;
5. a visitor, on a phone, finds the task on the public portal and objects;
6. the office answers; after the notice the office ends it, the supervising unit checks
   on site (核查) and the office files the close-out: the task is closed (已销号), and
   the portal lists it;
7. the clerk and the district's unit land on their screens.

No page loads anything from another origin (every request of every context is checked),
and every main page is saved as a screenshot (closeout.web.tests.screens).
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from closeout import samples
from closeout.ledger import clock, sweep
from closeout.ledger.access import Actor
from closeout.ledger.demo import jinan, users
from closeout.ledger.demo.ledger import OWN_TASK_SUPERVISOR
from closeout.ledger.demo.users import PASSWORD as DEMO_PASSWORD
from closeout.ledger.models import Plan, Profile, Role, Task
from closeout.web.tests.browser import DESKTOP, PHONE, Requests, log_in, no_sideways_scroll
from closeout.web.tests.data import PDF
from closeout.web.tests.screens import shot

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

SAMPLE = "003_jinan_2018.txt"
REQUESTED_ON = dt.date(2025, 6, 9)  # the suite's Monday: the notice runs to Friday 13th
AFTER_NOTICE = dt.date(2025, 6, 16)


@pytest.fixture
def registry(transactional_db):
    """The units of Jinan and the demo's users, without the demo's plans."""
    loader = Actor(role=Role.OFFICE, label="closeout demo")
    office = Actor.of(users.ensure_office(loader))
    units = jinan.load_units(office)
    users.ensure_users(office, units)
    return units


class Browser:
    """One context per person (its own cookies), every request watched."""

    def __init__(self, browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.contexts: list = []
        self.watches: list[Requests] = []

    def person(self, username: str | None, *, phone: bool = False) -> Page:
        context = self.browser.new_context(
            locale="zh-CN",
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(20_000)
        self.contexts.append(context)
        self.watches.append(Requests(context))
        page = context.new_page()
        if username:
            log_in(page, self.base, username, DEMO_PASSWORD)
        return page

    def elsewhere(self) -> list[str]:
        return [url for watch in self.watches for url in watch.elsewhere(self.base)]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(browser, live_server):
    people = Browser(browser, live_server.url)
    yield people
    people.close()


def _unit_of(username: str):
    return Profile.objects.select_related("unit").get(user__username=username).unit


def _images_drawn(page: Page, selector: str) -> None:
    images = page.locator(selector)
    assert images.count() > 0, selector
    for i in range(images.count()):
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=images.nth(i).element_handle()
        )


def _step(page: Page, name: str):
    return page.locator(f"form[data-transition={name}]")


def _status(page: Page):
    return page.locator("[data-testid=status]")


def test_every_role_walks_the_loop_on_the_jinan_plan(people, registry, tmp_path):
    base = people.base

    # 1. The office imports, reviews, confirms and publishes the plan.
    office = people.person("demo-office")
    assert office.url == f"{base}/overview/"
    office.locator("[data-testid=nav-import]").click()
    path = tmp_path / SAMPLE
    path.write_bytes(samples.plan_bytes(SAMPLE))
    upload = office.locator("[data-testid=upload-form]")
    upload.locator("input[name=file]").set_input_files(str(path))
    upload.locator("button[type=submit]").click()
    office.wait_for_url(re.compile(r".*/plans/\d+/review/.*"), timeout=60_000)
    plan = Plan.objects.get(status="draft")
    shot(office, "walk-review")
    default = office.locator("[data-testid=default-supervisor-form]")
    default.locator("input[name=default-unit]").fill(jinan.RECTIFICATION_OFFICE)
    default.locator("button[type=submit]").click()
    office.wait_for_load_state()
    # The office's own tasks cannot be supervised by itself: the discipline commission
    # supervises them, given task by task on the review page.
    review = f"{base}/plans/{plan.pk}/review/?attention=1"
    for _ in range(40):
        office.goto(review)
        lacking = office.locator("[data-testid=review-task]:has([data-lacks=supervising])")
        if lacking.count() == 0:
            break
        add = lacking.first.locator("[data-testid=unit-add]")
        add.locator("input[type=text]").fill(OWN_TASK_SUPERVISOR)
        add.locator("select").select_option("supervising")
        add.locator("button[type=submit]").click()
        office.wait_for_load_state()
    else:
        pytest.fail("tasks still lack a supervising unit after 40 additions")
    expect(office.locator("[data-testid=review-empty]")).to_be_visible()
    office.locator("[data-testid=confirm-form] button[type=submit]").click()
    office.wait_for_url(f"{base}/tasks/")
    plan.refresh_from_db()
    assert plan.status == "confirmed"
    shot(office, "walk-ledger")
    office.goto(f"{base}/plans/")
    office.locator(f"tr[data-plan='{plan.pk}'] [data-testid=publish-form] button").click()
    expect(office.locator(f"tr[data-plan='{plan.pk}'] [data-testid=published]")).to_be_visible()

    # 2. The sweep freezes the week: the overview and the board show it.
    sweep.run()
    office.goto(f"{base}/overview/")
    expect(office.locator("[data-testid=totals]")).to_be_visible()
    expect(office.locator("[data-testid=no-snapshot]")).to_have_count(0)
    shot(office, "walk-overview")
    leader = people.person("demo-leader")
    assert leader.url == f"{base}/board/"
    _images_drawn(leader, ".chart img")
    shot(leader, "walk-board")
    problem = plan.problems.order_by("seq").first()
    leader.goto(f"{base}/board/problems/{problem.pk}/")
    _images_drawn(leader, ".chart img")
    shot(leader, "walk-timeline")

    # 3. The responsible unit reports from its phone and requests the close-out.
    env, supervising = _unit_of("demo-unit"), _unit_of("demo-supervisor")
    task = (
        Task.objects.filter(plan=plan, assignments__unit=env, assignments__role="lead")
        .filter(assignments__unit=supervising, assignments__role="supervising")
        .filter(ongoing=False)  # filed, it is closed (an ongoing one is kept up: sustained)
        .order_by("seq")
        .first()
    )
    assert task is not None
    unit = people.person("demo-unit", phone=True)
    assert unit.url == f"{base}/my/"
    no_sideways_scroll(unit)
    shot(unit, "walk-workspace")
    due = unit.locator(f"[data-testid=owe-due] li[data-task='{task.pk}']")
    due.locator("[data-testid=report-button]").tap()
    unit.wait_for_url(re.compile(rf".*/tasks/{task.pk}/#report$"))
    unit.locator("#report textarea[name=text]").fill("整改措施全部落实,已建立长效机制")
    unit.locator("#report input[name=percent]").fill("100")
    unit.locator("#report button[type=submit]").click()
    expect(unit.locator(".message.done-report")).to_be_visible()
    request = _step(unit, "request_closeout")
    for i, criterion in enumerate(request.locator("textarea[data-criterion]").all()):
        criterion.fill(["生态已修复", "污染已消除", "群众满意"][i % 3])
    request.locator("input[type=file]").set_input_files(
        files=[{"name": "验收材料.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    request.locator("button[type=submit]").click()
    expect(_status(unit)).to_have_attribute("data-status", "requested")
    no_sideways_scroll(unit)
    shot(unit, "walk-task")

    # 4. The supervising unit passes the preliminary review from its queue.
    supervisor = people.person("demo-supervisor")
    assert supervisor.url == f"{base}/queue/"
    item = supervisor.locator(f"[data-testid=queue-review] article[data-task='{task.pk}']")
    expect(item).to_be_visible()
    shot(supervisor, "walk-queue")
    item.locator("[data-testid=pass-review]").click()
    expect(_status(supervisor)).to_have_attribute("data-status", "notice")

    # 5. A visitor finds it on the portal and objects.
    visitor = people.person(None, phone=True)
    visitor.goto(f"{base}/")
    visitor.locator("[data-testid=home-notice]").click()
    visitor.locator(f"a[href='/public/tasks/{task.pk}/']").first.click()
    visitor.wait_for_url(f"{base}/public/tasks/{task.pk}/")
    no_sideways_scroll(visitor)
    objection = visitor.locator("[data-testid=objection-form]")
    objection.locator("textarea").fill("周边仍有异味,请复查")
    objection.locator("button[type=submit]").click()
    visitor.wait_for_url(re.compile(rf".*/public/tasks/{task.pk}/#objections$"))
    shot(visitor, "walk-public-task")

    # 6. The office answers; after the notice the loop closes.
    office.goto(f"{base}/tasks/{task.pk}/")
    answer = office.locator("[data-testid=answer-form]")
    answer.locator("textarea").fill("已组织复测,达标")
    answer.locator("button[type=submit]").click()
    expect(office.locator("[data-testid=answer]")).to_contain_text("已组织复测")
    with clock.frozen_at(AFTER_NOTICE):
        office.goto(f"{base}/tasks/{task.pk}/")
        _step(office, "end_notice").locator("button[type=submit]").click()
        expect(_status(office)).to_have_attribute("data-status", "verification")
        supervisor.goto(f"{base}/queue/")
        expect(
            supervisor.locator(f"[data-testid=queue-checks] article[data-task='{task.pk}']")
        ).to_be_visible()
        supervisor.goto(f"{base}/tasks/{task.pk}/")
        verify = _step(supervisor, "verify")
        verify.locator("input[name=verify-inspectors]").fill("市整改办 张三、李四")
        verify.locator("textarea[name=verify-note]").fill("现场核查,整改到位")
        verify.locator("button[type=submit]").click()
        expect(_status(supervisor)).to_have_attribute("data-status", "verified")
        office.goto(f"{base}/tasks/{task.pk}/")
        filing = _step(office, "file")
        filing.locator("input[name=file-number]").fill("济整改办备〔2025〕1号")
        filing.locator("button[type=submit]").click()
        expect(_status(office)).to_have_attribute("data-status", "closed")
        shot(office, "walk-closed")
        visitor.goto(f"{base}/public/closed/")
        expect(visitor.locator(f"a[href='/public/tasks/{task.pk}/']")).to_have_count(1)
        shot(visitor, "walk-public-closed")
    assert Task.objects.get(pk=task.pk).status == "closed"

    # 7. The clerk and the district's unit start on their own screens.
    clerk = people.person("demo-clerk")
    assert clerk.url == f"{base}/overview/"
    district = people.person("demo-district", phone=True)
    assert district.url == f"{base}/my/"
    no_sideways_scroll(district)
    shot(district, "walk-district")

    assert people.elsewhere() == []
