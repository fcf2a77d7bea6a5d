"""The login form and the progress report form with the keyboard only (headless
Chromium): Tab from the top of the page reaches each field in order, typing fills it,
Enter on the focused button submits, and the report lands on the task."""

from __future__ import annotations

import os

import pytest

from closeout.ledger.tests.factories import PASSWORD

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const e = document.activeElement;
  const form = e && e.closest('form');
  return {
    tag: e ? e.tagName.toLowerCase() : '', name: (e && e.getAttribute('name')) || '',
    type: (e && e.getAttribute('type')) || '', form: form ? form.dataset.testid || '' : '',
    label: e && e.labels && e.labels.length ? e.labels[0].textContent.trim() : '',
  };
}"""


def _tab_to(page: Page, wanted, limit: int = 300) -> dict:
    """Press Tab until the focused element is `wanted(focused)`; fail after `limit`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached the element; last: {focused}")


def _log_in_by_keyboard(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    first = page.evaluate(FOCUSED)  # the login page puts the focus on its first field
    if first["form"] != "login-form":
        first = _tab_to(page, lambda f: f["form"] == "login-form")
    assert first["name"] == "username" and first["label"], first  # a labelled field
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    password = page.evaluate(FOCUSED)
    assert password["name"] == "password" and password["label"], password
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    button = page.evaluate(FOCUSED)
    assert button["tag"] == "button" and button["type"] == "submit", button
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)  # the role's first screen


def test_a_unit_logs_in_and_reports_progress_with_the_keyboard_only(
    page, live_server, transactional_db, world
):
    base = live_server.url
    _log_in_by_keyboard(page, base, "unit_env")
    page.goto(f"{base}/tasks/{world.own.pk}/")
    focused = _tab_to(page, lambda f: f["form"] == "report-form")
    visited = []
    for _ in range(40):  # walk the form's fields in tab order, filling those we know
        assert focused["form"] == "report-form", (focused, visited)
        visited.append(focused["name"] or focused["tag"])
        if focused["tag"] == "button" and focused["type"] == "submit":
            break
        if focused["tag"] in ("input", "textarea", "select") and focused["type"] != "file":
            assert focused["label"], focused  # every field has a label tied to it
        if focused["name"] == "text":
            page.keyboard.type("已完成水源地违法建筑清理，键盘填报")
        elif focused["name"] == "percent":
            page.keyboard.type("60")
        elif focused["name"] == "reason":
            page.keyboard.type("进度按计划推进")
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
    else:
        raise AssertionError(f"the report form's button was never reached: {visited}")
    assert visited[:2] == ["text", "percent"], visited
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/tasks/{world.own.pk}/#reports")
    expect(page.locator("article.report").first).to_contain_text("键盘填报")
    expect(page.locator("[data-testid=history] li[data-action='report.create']")).to_have_count(1)
