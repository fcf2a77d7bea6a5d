"""The office's settings pages in a real browser (headless Chromium, live server): the
office changes the public notice's length, adds an escalation rule (after one that the
rules refuse, shown at its field) and a login, entirely through these pages; the new
login then signs in. Elements are found by name and data attributes, never by wording."""

from __future__ import annotations

import os
import re

import pytest

from closeout.ledger.models import EscalationRule, LoopSettings
from closeout.ledger.tests.factories import PASSWORD

try:
    from playwright.sync_api import Page, expect
except ImportError:
    if os.environ.get("CI"):
        raise  # on CI a missing browser stack fails the run (see conftest.py)
    pytest.skip("playwright is not installed", allow_module_level=True)

pytestmark = pytest.mark.browser


def _log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    form = page.locator("[data-testid=login-form]")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the role's first screen


def test_office_changes_the_notice_adds_a_rule_and_a_login(
    page, live_server, transactional_db, world
):
    base = live_server.url
    _log_in(page, base, "office")

    # The notice length: the look-back months read as the office types them.
    page.goto(f"{base}/office/")
    page.locator("[data-testid=office-nav] a[href='/office/loop/']").click()
    form = page.locator("[data-testid=loop-form]")
    expect(form.locator("input[name=lookback_months]")).to_have_value("3, 12")
    form.locator("input[name=notice_working_days]").fill("7")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/office/loop/")
    expect(page.locator(".message.success")).to_have_count(1)
    expect(form.locator("input[name=notice_working_days]")).to_have_value("7")
    assert LoopSettings.current().notice_working_days == 7

    # An escalation rule: one the rules refuse first, its error at the field.
    page.locator("[data-testid=office-nav] a[href='/office/rules/']").click()
    page.locator("[data-testid=rule-add]").click()
    form = page.locator("[data-testid=rule-form]")
    form.locator("select[name=rule-trigger]").select_option("missed_reports")
    form.locator("input[name=rule-threshold]").fill("0")
    form.locator("select[name=rule-level]").select_option("reminder")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=error-summary]")).to_be_visible()
    threshold = form.locator("input[name=rule-threshold]")
    expect(threshold).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_rule-threshold_error")).to_be_visible()
    # The summary's link takes the keyboard to the field.
    page.locator("[data-testid=error-summary] a[href='#id_rule-threshold']").click()
    threshold.fill("3")
    form.locator("button[type=submit]").click()
    # (The browser keeps the fragment the summary's link added across the redirect.)
    page.wait_for_url(re.compile(r".*/office/rules/(#.*)?$"))
    rule = EscalationRule.objects.get(trigger="missed_reports", threshold=3)
    expect(page.locator(f"tr[data-rule='{rule.pk}']")).to_have_count(1)

    # A login for a unit, named by the unit's former name.
    page.locator("[data-testid=office-nav] a[href='/office/users/']").click()
    page.locator("[data-testid=user-add]").click()
    form = page.locator("[data-testid=user-form]")
    form.locator("input[name=username]").fill("env_clerk")
    form.locator("input[name=display_name]").fill("环境局经办人")
    form.locator("select[name=role]").select_option("unit")
    form.locator("input[name=unit]").fill("市环保局")
    form.locator("input[name=password]").fill("a-long-password")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/office/users/")
    expect(page.locator("tr[data-user=env_clerk]")).to_have_count(1)

    # The new login signs in and sees its unit's task.
    page.locator("[data-testid=logout]").click()
    page.wait_for_url(f"{base}/")
    _log_in(page, base, "env_clerk", "a-long-password")
    page.goto(f"{base}/tasks/")
    expect(page.locator(f"tr[data-task='{world.own.pk}']")).to_have_count(1)
    assert page.goto(f"{base}/office/").status == 403
