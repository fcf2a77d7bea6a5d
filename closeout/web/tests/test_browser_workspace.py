"""The units' first screens in a real browser (headless Chromium, live server).

The responsible unit, on a 390 px phone: its workspace says what it owes, one tap on
"report" lands in the form with the focus there; the connection drops as it submits, the
draft survives in the browser, and once back online the report goes through and leaves
"what I owe". The supervising unit, at a desk: its queue holds the close-out request with
the evidence beside the history, and the preliminary review (初审) is done from there.
Screenshots of both screens go to the suite's folder (`screens.shot`).
"""

from __future__ import annotations

import os
import re

import pytest

from closeout.ledger import services
from closeout.ledger.models import ProgressReport, Task
from closeout.ledger.tests.factories import PASSWORD, take
from closeout.web.tests.screens import shot
from closeout.web.tests.test_workspace import png

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_the_unit_reports_from_its_phone_through_a_dropped_connection(
    phone, live_server, transactional_db, world
):
    base = live_server.url
    task = world.own
    page = phone.new_page()
    _log_in(page, base, "unit_env")
    page.goto(f"{base}/my/")
    due = page.locator(f"[data-testid=owe-due] li[data-task='{task.pk}']")
    expect(due).to_be_visible()
    _no_sideways_scroll(page)
    shot(page, "workspace")
    button = due.locator("[data-testid=report-button]")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300  # a thumb's target

    button.tap()
    page.wait_for_url(re.compile(rf"/tasks/{task.pk}/#report$"))
    text = page.locator("#report textarea[name=text]")
    expect(text).to_be_focused()
    _no_sideways_scroll(page)
    text.fill("河道清淤已完成八成,余下段落本周完成")
    page.locator("#report input[name=percent]").fill("80")

    # The connection drops as the report goes: nothing reaches the server.
    phone.set_offline(True)
    page.locator("#report button[type=submit]").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert not ProgressReport.objects.filter(task_id=task.pk).exists()

    # Back online, the task's page gives the draft back.
    phone.set_offline(False)
    page.goto(f"{base}/tasks/{task.pk}/#report")
    expect(page.locator("[data-testid=draft-status]")).to_be_visible()
    expect(text).to_have_value("河道清淤已完成八成,余下段落本周完成")
    expect(page.locator("#report input[name=percent]")).to_have_value("80")
    page.locator("#report button[type=submit]").click()
    expect(page.locator(".message.done-report")).to_be_visible()
    assert page.evaluate(f"localStorage.getItem('closeout:report:{task.pk}')") is None
    report = ProgressReport.objects.get(task_id=task.pk)
    assert (report.text, report.percent) == ("河道清淤已完成八成,余下段落本周完成", 80)

    # Reported: it has left "what I owe".
    page.goto(f"{base}/my/")
    expect(page.locator("[data-testid=owe-due]")).to_have_count(0)
    expect(page.locator("[data-testid=owe-nothing]")).to_be_visible()
    _no_sideways_scroll(page)


def test_report_errors_take_the_eye_on_the_phone(phone, live_server, transactional_db, world):
    base = live_server.url
    page = phone.new_page()
    _log_in(page, base, "unit_env")
    page.goto(f"{base}/tasks/{world.own.pk}/#report")
    page.locator("#report input[name=percent]").fill("30")
    # The browser's own check would stop an empty text first: leave only spaces.
    page.locator("#report textarea[name=text]").fill("   ")
    page.locator("#report button[type=submit]").click()
    summary = page.locator("[data-testid=report-errors]")
    expect(summary).to_be_focused()
    expect(page.locator("#report textarea[name=text]")).to_have_attribute("aria-invalid", "true")
    _no_sideways_scroll(page)
    shot(page, "report-errors")


def test_the_supervisor_reviews_a_close_out_from_the_queue(
    page, live_server, transactional_db, world
):
    base = live_server.url
    task = world.own
    services.report_create(
        actor=world.actor("unit_env"),
        task_id=task.pk,
        text="现场照片",
        files=[services.Upload("现场.png", png())],
    )
    take(world.actor("unit_env"), task, "request_closeout")

    _log_in(page, base, "supervisor")
    page.goto(f"{base}/queue/")
    item = page.locator(f"[data-testid=queue-review] article[data-task='{task.pk}']")
    expect(item).to_be_visible()
    expect(item.locator("li[data-step=request]")).to_contain_text("evidence.pdf")
    thumb = item.locator("[data-testid=queue-evidence] img").first
    expect(thumb).to_be_visible()
    # The thumbnail loaded: the image is served inline and the page's CSP lets it in.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    shot(page, "queue")

    item.locator("input[name='pass_review-note']").fill("材料齐全,同意公示")
    item.locator("[data-testid=pass-review]").click()
    expect(page.locator("[data-testid=status]")).to_have_attribute("data-status", "notice")
    assert Task.objects.get(pk=task.pk).status == "notice"

    page.goto(f"{base}/queue/")
    expect(page.locator("[data-testid=queue-review]")).to_have_count(0)
    expect(
        page.locator(f"[data-testid=queue-notices] article[data-task='{task.pk}']")
    ).to_be_visible()
