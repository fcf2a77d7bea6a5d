"""The pages under the Content-Security-Policy in a real browser, and the two ways a
page used to end nowhere (the admin's redirect loop, the language switch after a form
error). A page the policy breaks shows a violation event and a console error: both
are collected on every page and must stay empty."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model

from closeout.ledger.tests.factories import PASSWORD

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


class Watched:
    """A page whose CSP violations and console errors are recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # What failed to load, by address (the console only says that something did).
        page.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.request.resource_type != "document"
                and self.errors.append(f"{r.status} {r.url}")
            ),
        )

    def _console(self, message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def visit(self, url: str, status: int = 200) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == status, url
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        self.page.wait_for_load_state("networkidle")
        self.check(url)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations")
        assert (violations, self.errors) == ([], []), where
        self.errors.clear()


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the role's first screen


def test_every_kind_of_page_works_under_the_policy(page, live_server, transactional_db, world):
    base, task = live_server.url, world.own.pk
    # The admin is for superusers: the office login is one here, to walk the admin too.
    get_user_model().objects.filter(pk=world.users["office"].pk).update(is_superuser=True)
    watched = Watched(page)
    for url in ("/", "/login/", f"/tasks/{task}/", "/nowhere/"):
        watched.visit(base + url, 404 if url == "/nowhere/" else 200)
    _log_in(page, base, "office")
    watched.check("login")
    for url in (
        "/tasks/",
        f"/tasks/{task}/",
        "/inbox/",
        "/plans/",
        "/plans/import/",
        "/office/",
        "/office/rules/",
        "/office/rules/add/",
        "/office/loop/",
        "/office/days/",
        "/office/users/",
        "/office/users/add/",
        "/office/units/",
        "/office/units/add/",
        f"/office/units/{world.env.pk}/",
        f"/office/users/{world.users['leader'].pk}/",
        "/admin/",
        "/admin/ledger/task/",
        f"/admin/ledger/task/{task}/change/",
        "/admin/ledger/unit/add/",
        "/admin/ledger/auditevent/",
    ):
        watched.visit(base + url)
    # The admin's scripts run: the unit picker (autocomplete) opens and searches.
    page.goto(f"{base}/admin/ledger/task/{task}/change/")
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results")).to_be_visible()
    watched.check("admin autocomplete")


def test_the_api_docs_render_under_the_policy(page, live_server, transactional_db):
    watched = Watched(page)
    watched.visit(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("closeout API")
    page.locator(".opblock-summary").first.click()  # an operation opens
    expect(page.locator(".opblock-body").first).to_be_visible()
    watched.check("api docs")


@pytest.mark.parametrize("username", ["office", "unit_env", "supervisor", "leader"])
def test_the_admin_turns_other_roles_away_with_a_page_not_a_loop(
    page, live_server, transactional_db, world, username
):
    _log_in(page, live_server.url, username)
    response = page.goto(f"{live_server.url}/admin/")
    assert response is not None and response.status == 403
    error = page.locator("[data-testid=error]")
    expect(error).to_have_attribute("data-status", "403")
    expect(error).to_contain_text("/office/")  # the office's settings are elsewhere


def test_switching_language_after_a_form_error_lands_on_the_page(
    page, live_server, transactional_db, world
):
    base, task = live_server.url, world.own.pk
    _log_in(page, base, "unit_env")
    page.goto(f"{base}/tasks/{task}/")
    form = page.locator("[data-testid=report-form]")
    form.evaluate("f => f.noValidate = true")  # let the server refuse the empty report
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/tasks/{task}/report/")
    expect(page.locator("[data-testid=report-form] .errorlist")).not_to_have_count(0)
    switch = page.locator("[data-testid=language-form]")
    switch.locator("select").select_option("en")
    switch.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/tasks/{task}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-testid=report-form]")).to_be_visible()
