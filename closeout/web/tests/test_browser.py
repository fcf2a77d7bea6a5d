"""The pages in a real browser (headless Chromium) against a live server.

Few and coarse on purpose: the rules are tested in the ledger and the views through the
test client; these check that the real forms, buttons and redirects work end to end.
Elements are found by name and data attributes, never by wording, because the interface
is translated.
"""

from __future__ import annotations

import os

import pytest

from closeout.ledger.models import Role
from closeout.ledger.tests.factories import PASSWORD, build_world, make_users
from closeout.web.tests.data import PDF, VISIBLE

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

FIRST_SCREENS = {
    "office": "/overview/",
    "leader": "/board/",
    "unit": "/my/",
    "supervisor": "/queue/",
}


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the role's first screen


def _status(page: Page):
    return page.locator("[data-testid=status]")


def _take(page: Page, name: str, note: str = "") -> None:
    form = page.locator(f"form[data-transition={name}]")
    if note:
        form.locator(f"input[name={name}-note]").fill(note)
    form.locator("button[type=submit]").click()


def test_each_role_logs_in_and_sees_only_its_tasks(page, live_server, transactional_db, world):
    for role, names in VISIBLE.items():
        _log_in(page, live_server.url, world.users[role].username)
        # each role lands on its own first screen, and finds its tasks in the ledger
        assert page.url == live_server.url + FIRST_SCREENS[world.users[role].profile.role]
        page.goto(f"{live_server.url}/tasks/")
        rows = page.locator("tr[data-task]")
        expected = {str(getattr(world, name).pk) for name in names}
        expect(rows).to_have_count(len(expected))
        assert {rows.nth(i).get_attribute("data-task") for i in range(len(expected))} == expected
        page.locator("[data-testid=logout]").click()
        page.wait_for_url(f"{live_server.url}/")


def test_unit_submits_a_progress_report_and_finds_it_in_the_history(
    page, live_server, transactional_db, world
):
    _log_in(page, live_server.url, "unit_env")
    page.goto(f"{live_server.url}/tasks/{world.own.pk}/")
    form = page.locator("[data-testid=report-form]")
    form.locator("textarea[name=text]").fill("已完成水源地违法建筑清理")
    form.locator("input[name=percent]").fill("60")
    form.locator("input[name=files]").set_input_files(
        files=[{"name": "清理前后对比.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/tasks/{world.own.pk}/#reports")
    expect(page.locator("[data-testid=history] li[data-action='report.create']")).to_have_count(1)
    expect(page.locator("article.report")).to_contain_text("已完成水源地违法建筑清理")
    expect(page.locator("article.report a[data-evidence]")).to_have_text("清理前后对比.pdf")


def test_office_confirms_and_sends_back_with_the_buttons(page, live_server, transactional_db):
    world = build_world(status="draft")
    _log_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/tasks/{world.own.pk}/")
    expect(_status(page)).to_have_attribute("data-status", "draft")
    _take(page, "confirm")
    expect(_status(page)).to_have_attribute("data-status", "in_progress")
    request = page.locator("form[data-transition=request_closeout]")
    criteria = request.locator("textarea[data-criterion]")
    expect(criteria).to_have_count(3)  # 生态修复、污染消除、群众满意
    for i in range(3):
        criteria.nth(i).fill("已达到")
    request.locator("input[type=file]").set_input_files(
        files=[{"name": "验收材料.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    _take(page, "request_closeout")
    expect(_status(page)).to_have_attribute("data-status", "requested")
    # The office user who requested it takes no approval step: another one sends it back.
    expect(page.locator("form[data-transition=send_back]")).to_have_count(0)
    make_users(world.actor("office"), office2=(Role.OFFICE, None))
    page.locator("[data-testid=logout]").click()
    page.wait_for_url(f"{live_server.url}/")
    _log_in(page, live_server.url, "office2")
    page.goto(f"{live_server.url}/tasks/{world.own.pk}/")
    _take(page, "send_back", note="佐证材料不足,退回重新整改")
    expect(_status(page)).to_have_attribute("data-status", "in_progress")
    history = page.locator("[data-testid=history]")
    expect(history.locator("li[data-action='task.confirm']")).to_have_count(1)
    expect(history.locator("li[data-action='task.send_back']")).to_contain_text("佐证材料不足")
