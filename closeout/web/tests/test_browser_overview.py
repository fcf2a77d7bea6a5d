"""The office overview in a real browser: the office opens it, reads the totals and
follows a number to the filtered ledger; on a phone it fits the screen."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from closeout.ledger import sweep
from closeout.ledger.tests.factories import PASSWORD

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_the_office_follows_a_number_of_the_overview_to_the_ledger(
    page, live_server, transactional_db, world
):
    sweep.run(dt.date(2021, 1, 6))  # past the due date of all three tasks
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    _log_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/overview/")
    overdue = page.locator("[data-testid=bucket-overdue]")
    expect(overdue).to_have_attribute("data-n", "3")
    expect(page.locator("[data-testid=total]")).to_have_attribute("data-n", "3")
    expect(page.locator("[data-testid=overdue] li")).to_have_count(3)
    overdue.click()
    page.wait_for_url(f"{live_server.url}/tasks/?bucket=overdue")
    assert not outside


def test_the_overview_fits_a_phone(browser, live_server, transactional_db, world):
    sweep.run(dt.date(2021, 1, 6))
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        _log_in(page, live_server.url, "leader")
        page.goto(f"{live_server.url}/overview/")
        expect(page.locator("[data-testid=totals]")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
    finally:
        context.close()
