"""The public portal in a real browser (headless Chromium, live server), on a 390 px
phone and at a desk: an anonymous visitor opens the portal, a plan, a task under public
notice, lodges an objection and sees it taken; every request the pages make goes to the
server itself, nothing is wider than the phone, and nothing on the way shows a secret of
the ledger."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from closeout.ledger.models import Objection
from closeout.web.tests.public_world import any_secret, build_portal_world
from closeout.web.tests.screens import shot

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


@pytest.fixture(params=list(VIEWPORTS))
def visitor(request, browser):
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[request.param])
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide on a {viewport} px screen"


def _clean(page: Page) -> None:
    assert any_secret(page.content()) == [], page.url
    _fits(page)


def test_a_visitor_objects_to_a_close_out_from_the_portal(
    visitor, live_server, transactional_db, world
):
    pw = build_portal_world(world)
    base = live_server.url
    server = urlsplit(base).netloc
    requested: list[str] = []
    visitor.on("request", lambda r: requested.append(r.url))

    visitor.goto(f"{base}/public/")
    expect(visitor.locator("[data-testid=plans] [data-plan]")).to_have_count(1)
    expect(visitor.locator("[data-testid=totals] [data-bucket=done] .bucket-count")).to_have_text(
        "1"
    )
    _clean(visitor)
    shot(visitor, "public-index")

    visitor.locator(f"[data-plan='{world.plan.pk}'] a.portal-title").click()
    visitor.wait_for_url(f"{base}/public/plans/{world.plan.pk}/")
    expect(visitor.locator("[data-testid=problems] [data-problem]")).to_have_count(1)
    visitor.locator("select[name=bucket]").select_option("sustained")
    visitor.locator("[data-testid=filters] button[type=submit]").click()
    expect(visitor.locator("[data-testid=problems] [data-problem]")).to_have_count(0)
    visitor.locator("select[name=bucket]").select_option("done")
    visitor.locator("[data-testid=filters] button[type=submit]").click()
    expect(visitor.locator("[data-testid=problems] [data-problem]")).to_have_count(1)
    _clean(visitor)
    shot(visitor, "public-plan")

    visitor.locator("[data-testid=portal-nav] a[href='/public/notice/']").click()
    visitor.locator(f"[data-task='{pw.notice.pk}'] a.portal-title").click()
    visitor.wait_for_url(f"{base}/public/tasks/{pw.notice.pk}/")
    expect(visitor.locator("[data-testid=notice]")).to_be_visible()
    expect(visitor.locator("[data-testid=units]").first).to_contain_text("市生态环境局")
    expect(visitor.locator("[data-testid=answer]")).to_have_count(1)
    _clean(visitor)
    shot(visitor, "public-task-notice")

    form = visitor.locator("[data-testid=objection-form]")
    form.locator("textarea[name=objection-text]").fill("下游河段仍有黑臭")
    form.locator("input[name=objection-name]").fill("李先生")
    form.locator("button[type=submit]").click()
    visitor.wait_for_url(f"{base}/public/tasks/{pw.notice.pk}/#objections")
    expect(visitor.locator("[data-testid=messages]")).to_be_visible()
    expect(visitor.locator("#objections")).to_contain_text("下游河段仍有黑臭")
    assert "李先生" not in visitor.content()  # the objector's name is for those who answer
    _clean(visitor)
    shot(visitor, "public-objection-lodged")
    assert Objection.objects.filter(task=pw.notice, text="下游河段仍有黑臭").count() == 1

    for path in ("/public/closed/", "/public/lookbacks/", f"/public/tasks/{pw.closed.pk}/"):
        visitor.goto(f"{base}{path}")
        _clean(visitor)

    elsewhere = [url for url in requested if urlsplit(url).netloc != server]
    assert elsewhere == []
    assert requested and all(url.startswith(base) for url in requested)
