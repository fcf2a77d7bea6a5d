"""One close-out, clicked through in a real browser (headless Chromium, live server):
request with the self-assessment and a file → preliminary review → an anonymous visitor
objects during the public notice → the office answers → the notice ends → on-site
verification → filing; the page then shows the task closed out (已销号) and every step.

Time: the clock is frozen (`clock.frozen_at`), not the database edited. The live server
runs in a thread of the test process and reads the same clock, so the test moves the
whole system to the Monday after the notice's last day before the office ends it.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from closeout.ledger import clock
from closeout.ledger.models import Objection, Task
from closeout.ledger.tests.factories import PASSWORD
from closeout.web.tests.data import PDF

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

REQUESTED_ON = dt.date(2025, 6, 9)  # a Monday: the notice runs to Friday 2025-06-13
AFTER_NOTICE = dt.date(2025, 6, 16)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(REQUESTED_ON):
        yield


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the role's first screen


def _log_out(page: Page, base: str) -> None:
    page.locator("[data-testid=logout]").click()
    page.wait_for_url(f"{base}/")


def _status(page: Page):
    return page.locator("[data-testid=status]")


def _step(page: Page, name: str):
    return page.locator(f"form[data-transition={name}]")


def test_a_close_out_from_request_to_filing_with_an_objection(
    page, live_server, transactional_db, world
):
    base = live_server.url
    task_url = f"{base}/tasks/{world.own.pk}/"

    # The responsible unit requests close-out: one text per criterion, and a file.
    _log_in(page, base, "unit_env")
    page.goto(task_url)
    request = _step(page, "request_closeout")
    criteria = request.locator("textarea[data-criterion]")
    expect(criteria).to_have_count(3)
    for i, text in enumerate(["植被已恢复", "水质稳定达标", "回访群众满意"]):
        criteria.nth(i).fill(text)
    request.locator("input[type=file]").set_input_files(
        files=[{"name": "验收报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    request.locator("button[type=submit]").click()
    expect(_status(page)).to_have_attribute("data-status", "requested")
    _log_out(page, base)

    # The supervising unit passes the preliminary review: the public notice begins.
    _log_in(page, base, "supervisor")
    page.goto(task_url)
    _step(page, "pass_review").locator("button[type=submit]").click()
    expect(_status(page)).to_have_attribute("data-status", "notice")
    expect(page.locator("[data-testid=notice]")).to_have_attribute("data-until", "2025-06-13")
    _log_out(page, base)

    # Anyone may object while the notice runs, without signing in.
    page.goto(task_url)
    objection = page.locator("[data-testid=objection-form]")
    objection.locator("textarea").fill("河道下游仍有异味")
    objection.locator("button[type=submit]").click()
    lodged = page.locator("article[data-objection]")
    expect(lodged).to_have_count(1)
    expect(lodged).to_have_attribute("data-answered", "0")
    expect(lodged).to_contain_text("河道下游仍有异味")

    # The office answers it.
    _log_in(page, base, "office")
    page.goto(task_url)
    answer = page.locator("[data-testid=answer-form]")
    answer.locator("textarea").fill("已组织复测,水质达标")
    answer.locator("button[type=submit]").click()
    expect(lodged).to_have_attribute("data-answered", "1")
    expect(lodged.locator("[data-testid=answer]")).to_contain_text("已组织复测")

    # After the notice's last day the office ends it.
    with clock.frozen_at(AFTER_NOTICE):
        page.goto(task_url)
        _step(page, "end_notice").locator("button[type=submit]").click()
        expect(_status(page)).to_have_attribute("data-status", "verification")
        _log_out(page, base)

        # The supervising unit verifies on site.
        _log_in(page, base, "supervisor")
        page.goto(task_url)
        verify = _step(page, "verify")
        expect(verify.locator("input[name=verify-checked_on]")).to_have_value("2025-06-16")
        verify.locator("input[name=verify-inspectors]").fill("市督导组 张三、李四")
        verify.locator("textarea[name=verify-note]").fill("现场核查,整改到位")
        verify.locator("button[type=submit]").click()
        expect(_status(page)).to_have_attribute("data-status", "verified")
        _log_out(page, base)

        # The office files the close-out.
        _log_in(page, base, "office")
        page.goto(task_url)
        filing = _step(page, "file")
        filing.locator("input[name=file-number]").fill("济整改办备〔2025〕12号")
        filing.locator("button[type=submit]").click()
        expect(_status(page)).to_have_attribute("data-status", "closed")

    expect(_status(page)).to_have_text("已销号")
    steps = page.locator("#closeout li[data-step]")
    expect(steps).to_have_count(5)
    kinds = [steps.nth(i).get_attribute("data-step") for i in range(5)]
    assert kinds == ["request", "review", "notice_end", "verify", "file"]
    expect(steps.nth(0)).to_contain_text("水质稳定达标")
    expect(steps.nth(0).locator("a[data-evidence]")).to_have_text("验收报告.pdf")
    expect(steps.nth(3)).to_contain_text("市督导组 张三、李四")
    expect(steps.nth(4)).to_contain_text("济整改办备〔2025〕12号")
    expect(page.locator("[data-testid=bucket]")).to_have_attribute("data-bucket", "done")
    history = page.locator("[data-testid=history]")
    expect(history.locator("li[data-action='objection.answer']")).to_have_count(1)

    task = Task.objects.get(pk=world.own.pk)
    assert (task.status, task.closed_on) == ("closed", AFTER_NOTICE)
    assert Objection.objects.get(task=task).answered_at is not None
