"""Failed logins are throttled per account and address, and per address (django-axes,
closeout/web/throttle.py). Time is moved by ageing the recorded attempts, never by
waiting."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from closeout.ledger.tests.factories import PASSWORD
from closeout.web.throttle import client_address

LIMIT = 5  # the default of CLOSEOUT_LOGIN_LIMIT
HERE, ELSEWHERE = "198.51.100.7", "203.0.113.9"


def _try(client, username, password="wrong", address=HERE, **extra):
    return client.post(
        reverse("web:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, username, times, address=HERE):
    return [_try(client, username, address=address).status_code for _ in range(times)]


def _age_attempts(by: dt.timedelta) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


def test_the_defaults(world):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert settings.CLOSEOUT_LOGIN_ADDRESS_LIMIT > LIMIT
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_the_attempt_after_the_limit_is_refused_even_with_the_right_password(client, world):
    assert _fail(client, "unit_env", LIMIT - 1) == [200] * (LIMIT - 1)  # the form again
    assert _fail(client, "unit_env", 1) == [429]  # the last failure allowed locks
    response = _try(client, "unit_env", PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)


def test_a_locked_out_login_never_checks_the_password(client, world):
    _fail(client, "unit_env", LIMIT)
    with mock.patch.object(ModelBackend, "authenticate", autospec=True) as check:
        for _ in range(300):
            assert _try(client, "unit_env").status_code == 429
    assert check.call_count == 0


def test_the_lockout_page_is_the_login_page_with_a_chinese_message(client, world):
    _fail(client, "unit_env", LIMIT)
    response = _try(client, "unit_env", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page and 'data-testid="login-form"' in page
    assert "登录失败次数过多" in page and "30" in page
    assert 'value="unit_env"' in page  # the name stays filled in


def test_other_accounts_and_other_addresses_are_not_affected(client, world):
    _fail(client, "unit_env", LIMIT)
    assert _try(client, "unit_env", PASSWORD).status_code == 429
    # The same account from another address …
    assert _try(client, "unit_env", PASSWORD, address=ELSEWHERE).status_code == 302
    client.logout()
    # … and another account from the same address.
    assert _try(client, "supervisor", PASSWORD).status_code == 302


def test_an_address_that_tries_many_accounts_is_locked_at_its_own_limit(client, world, settings):
    settings.CLOSEOUT_LOGIN_ADDRESS_LIMIT = 13
    names = [f"guess-{n}" for n in range(3)]
    for name in names:  # 4 each: no account reaches its limit of 5
        assert _fail(client, name, LIMIT - 1) == [200] * (LIMIT - 1)
    assert _fail(client, "guess-x", 1) == [429]  # the thirteenth failure from this address
    assert _try(client, "office", PASSWORD).status_code == 429
    assert _try(client, "office", PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, world):
    _fail(client, "unit_env", LIMIT)
    cool_off = settings.AXES_COOLOFF_TIME
    _age_attempts(cool_off - dt.timedelta(minutes=1))
    assert _try(client, "unit_env", PASSWORD).status_code == 429  # the try starts it again
    _age_attempts(cool_off + dt.timedelta(seconds=1))
    assert _try(client, "unit_env", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_a_successful_login_clears_that_account_from_that_address_only(client, world):
    _fail(client, "unit_env", LIMIT - 1)
    _fail(client, "office", LIMIT - 1)
    assert _try(client, "unit_env", PASSWORD).status_code == 302
    client.logout()
    assert _fail(client, "unit_env", LIMIT - 1) == [200] * (LIMIT - 1)  # counted from 0
    assert _fail(client, "office", 1) == [429]  # office's failures were kept


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (0, "192.0.2.1", "10.0.0.1"),  # no proxy: the header is anybody's
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # the left entry is the client's claim
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.2", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.1"),  # did not come through both proxies
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(settings, count, header, expected):
    settings.CLOSEOUT_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=header)
    assert client_address(request) == expected


def test_the_proxy_header_is_settable(settings):
    settings.CLOSEOUT_PROXY_COUNT = 1
    settings.CLOSEOUT_PROXY_HEADER = "X-Real-IP"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="192.0.2.5", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    assert client_address(request) == "192.0.2.5"


def test_behind_a_proxy_clients_are_told_apart_by_the_forwarded_address(client, world, settings):
    settings.CLOSEOUT_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for _ in range(LIMIT):
        _try(client, "unit_env", address=proxy, HTTP_X_FORWARDED_FOR=HERE)
    assert AccessAttempt.objects.get().ip_address == HERE
    locked = _try(client, "unit_env", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=HERE)
    assert locked.status_code == 429
    other = _try(client, "unit_env", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert other.status_code == 302
