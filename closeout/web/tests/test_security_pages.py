"""Putting it online: the security headers on every kind of page, `check --deploy` clean
with the production settings the README documents, the error pages, the admin's door
for other roles, and the language switch after a form error."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from closeout.ledger.tests.factories import VISIBLE

README = Path(__file__).resolve().parents[3] / "README.md"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
}


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def _as(world, name) -> Client:
    client = Client()
    if name != "public":
        client.force_login(world.users[name])
    return client


def _no_inline_code(html: str) -> None:
    """What the policy would block: inline scripts and styles, handlers, javascript: links."""
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "javascript:" not in html


def test_every_kind_of_page_carries_the_policy(world):
    from django.contrib.auth import get_user_model

    # The admin is for superusers: the office login is one here, to see the admin too.
    get_user_model().objects.filter(pk=world.users["office"].pk).update(is_superuser=True)
    office, task = _as(world, "office"), world.own.pk
    pages = [
        (Client(), reverse("web:home"), 200),
        (Client(), reverse("web:login"), 200),
        (Client(), reverse("web:task_detail", args=[task]), 302),  # to the public page
        (Client(), reverse("web:public_task", args=[task]), 200),
        (Client(), "/nowhere/", 404),
        (office, reverse("web:task_list"), 200),
        (office, reverse("web:task_detail", args=[task]), 200),
        (office, reverse("web:inbox"), 200),
        (office, reverse("web:plan_list"), 200),
        (office, reverse("web:office_loop"), 200),
        (office, reverse("web:office_users"), 200),
        (office, reverse("admin:index"), 200),
        (office, reverse("admin:ledger_task_changelist"), 200),
        (office, reverse("admin:ledger_task_change", args=[task]), 200),
        (_as(world, "unit_env"), reverse("web:plan_upload"), 403),
        (_as(world, "unit_env"), "/admin/login/?next=/admin/", 403),
        (office, "/api/tasks", 200),
    ]
    for client, url, status in pages:
        response = client.get(url)
        assert response.status_code == status, url
        assert _policy(response).items() >= POLICY.items(), url
        if response["Content-Type"].startswith("text/html"):
            _no_inline_code(response.content.decode())


def test_the_api_docs_add_data_images_and_nothing_else(world):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["img-src"].split() == ["'self'", "data:"]
    assert {k: v for k, v in policy.items() if k != "img-src"}.items() >= {
        k: v for k, v in POLICY.items() if k != "img-src"
    }.items()
    # The package's own copy: no address of a content delivery network (a token may spell cdn).
    assert not re.search(r"(?:https?:)?//[\w.-]*cdn", response.content.decode().lower())


def test_the_lockout_page_carries_the_policy(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("web:login"), {"username": "x", "password": "y"})
    assert response.status_code == 429
    assert _policy(response).items() >= POLICY.items()


# ---------------------------------------------------------------------------- check --deploy


def _documented_production_env() -> dict[str, str]:
    """The variables of the README's "Putting it online" example, as documented."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Putting it online", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    pairs = re.findall(r"^([A-Z_]+)=(\S*)", block, flags=re.MULTILINE)
    assert pairs, "the README's production example lists no variables"
    return dict(pairs)


def _bare_environment() -> dict[str, str]:
    """A server's environment: none of this test run's settings (the suite's own
    variables would count against a deployment)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")
    return {k: v for k, v in os.environ.items() if k in keep}


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    documented = _documented_production_env()
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CLOSEOUT_HTTPS"} <= documented.keys()
    env = _bare_environment()
    env.update(documented)
    env["SECRET_KEY"] = "k" * 20 + "-a-test-key-long-enough-and-varied-0123456789"
    env["CLOSEOUT_DATA_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "closeout", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout, out.stdout + out.stderr


def test_without_https_check_deploy_names_what_is_missing(tmp_path):
    env = _bare_environment()
    env.update(
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-a-test-key-long-enough-and-varied-0123456789",
        ALLOWED_HOSTS="closeout.example.gov.cn",
        CLOSEOUT_DATA_DIR=str(tmp_path),
    )
    out = subprocess.run(
        [sys.executable, "-m", "closeout", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in out.stderr + out.stdout


def test_https_turns_on_the_redirect_hsts_and_secure_cookies(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    plain = client.get(reverse("web:login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get(reverse("web:login"), secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# ---------------------------------------------------------------------------- error pages


@pytest.mark.parametrize("name", ["office", "leader", "unit_env", "supervisor"])
def test_the_admin_gives_other_roles_a_403_page_in_chinese(world, name):
    """Everyone but superusers, the office included: the page says where its settings are."""
    client = _as(world, name)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1  # one hop to the admin's login, then the page
    page = response.content.decode()
    assert 'data-status="403"' in page and "/office/" in page and "无权访问" in page


def test_visitors_going_to_the_admin_are_sent_to_the_login_page(world):
    response = Client().get(reverse("admin:index"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("web:login") + "?next=%2Fadmin%2F"


def test_the_error_pages_are_in_chinese(world):
    missing = Client().get("/nowhere/")
    assert missing.status_code == 404 and "未找到" in missing.content.decode()
    refused = _as(world, "unit_env").get(reverse("web:plan_upload"))
    assert refused.status_code == 403 and "无权访问" in refused.content.decode()
    csrf = Client(enforce_csrf_checks=True).post(reverse("web:login"), {"username": "x"})
    assert csrf.status_code == 403 and "表单已过期" in csrf.content.decode()


def test_the_server_error_page_needs_neither_a_request_nor_the_database():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert 'data-status="500"' in html and "服务器出错" in html


# ---------------------------------------------------------------------------- language switch


def _switch_target(response) -> str:
    match = re.search(
        r'data-testid="language-form".*?name="next" value="([^"]*)"',
        response.content.decode(),
        flags=re.DOTALL,
    )
    assert match, "no language switch on the page"
    return match.group(1)


def _switch(client, response):
    return client.post(
        reverse("set_language"), {"language": "en", "next": _switch_target(response)}, follow=True
    )


@pytest.mark.parametrize("name", sorted(set(VISIBLE) | {"public"}))
def test_the_language_switch_after_a_failed_form_lands_on_a_get_of_the_page(world, name):
    client = _as(world, name)
    if name == "public":
        # A visitor's objection outside a public notice is refused on the task page.
        url = reverse("web:objection_lodge", args=[world.own.pk])
        failed = client.post(url, {"objection-text": "河道仍有异味"})
        # the refusal is the portal's page of the task, which has no language form (the
        # portal's pages carry no per-visitor token): nothing to switch from
        assert failed.status_code == 400
        assert failed.templates[0].name == "web/public/task.html"
        return
    elif name == "office":
        # An edit of a draft task's fields with its text emptied, on the review page.
        failed = client.post(
            reverse("web:plan_task_fields", args=[world.plan.pk, world.own.pk]),
            {f"t{world.own.pk}-text": ""},
        )
        page = reverse("web:plan_review", args=[world.plan.pk])
    else:
        # A report without its text (or by someone who may not report) on a task they see.
        task = getattr(world, sorted(VISIBLE[name])[0])
        failed = client.post(reverse("web:task_report", args=[task.pk]), {"text": ""})
        page = reverse("web:task_detail", args=[task.pk])
    assert failed.status_code in (400, 403), name
    assert _switch_target(failed) == page
    landed = _switch(client, failed)
    assert landed.status_code == 200, name
    assert landed.redirect_chain[-1][0] == page
    assert landed.wsgi_request.method == "GET"
    assert '<html lang="en">' in landed.content.decode()


def test_after_a_failed_login_the_switch_stays_on_the_login_page(client, world):
    failed = client.post(reverse("web:login"), {"username": "office", "password": "wrong"})
    assert failed.status_code == 200
    assert _switch_target(failed) == reverse("web:login")
    assert _switch(client, failed).status_code == 200
