"""The error pages (400, 403, 404, 500) in the language of the pages, Chinese unless the
reader chose another with the switch (never by the browser's Accept-Language), each
with a way back to the start page; the 500 page renders under DEBUG off from a view
that raises, without a request context."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from closeout.ledger.tests.factories import build_world

HOME = 'href="/"'


@pytest.fixture
def world(db):
    return build_world()


def _page(response) -> str:
    return response.content.decode()


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _checked(response, status: int, words: str, lang: str = "zh-hans") -> str:
    page = _page(response)
    assert response.status_code == status
    assert f'data-status="{status}"' in page
    assert f'<html lang="{lang}"' in page
    assert words in page, page[:2000]
    assert HOME in page or f'href="{reverse("web:home")}"' in page  # the way back
    return page


@pytest.fixture
def raising(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "closeout.web.tests.error_urls"
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")


def test_a_server_error_is_a_chinese_page_with_a_way_back(db, raising):
    page = _checked(raising.get("/boom/"), 500, "服务器出错")
    assert "a bug on our side" not in page and "Traceback" not in page
    assert "返回首页" in page or "首页" in page


def test_a_server_error_follows_the_language_the_reader_chose(db, raising):
    _checked(_english(raising).get("/boom/"), 500, "Server error", lang="en")


def test_a_server_error_of_a_signed_in_user_is_chinese_too(world, raising):
    raising.force_login(world.users["unit_env"])
    _checked(raising.get("/boom/"), 500, "服务器出错")


def test_not_found_is_chinese_whatever_the_browser_asks(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    _checked(client.get("/nowhere/"), 404, "未找到")
    client.force_login(world.users["office"])
    _checked(client.get(reverse("web:task_detail", args=[10**9])), 404, "未找到")
    _checked(_english(client).get("/nowhere/"), 404, "Not found", lang="en")


def test_not_allowed_is_chinese_with_the_reason(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["unit_env"])
    page = _checked(client.get(reverse("web:plan_upload")), 403, "无权访问")
    assert not re.search(r"PermissionDenied|Forbidden", page)


def test_an_expired_form_is_chinese(world):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    _checked(client.post(reverse("web:login"), {"username": "x"}), 403, "表单已过期")


def test_a_bad_request_is_chinese(world, settings):
    settings.DEBUG = False
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    # A host the site does not serve: Django answers 400 with the page of its own.
    _checked(client.get("/", HTTP_HOST="evil.example"), 400, "请求")
