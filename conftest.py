"""Shared test fixtures: a small ledger with a unit of every kind of relation to a task."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests assert behaviour, never speed: the suite runs on two databases side by
# side on two cores, so no example has a deadline (hypothesis's default is 200 ms).
hypothesis_settings.register_profile("closeout", deadline=None)
hypothesis_settings.load_profile("closeout")

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still
# used synchronously there, which is safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """Each test writes evidence and documents to its own folder."""
    settings.DATA_DIR = tmp_path
    # The real hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the rate limits count there (by task id and
    address, which repeat from test to test)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# The ledger's clock in every test: a fixed working Monday, so that results never depend
# on the day the suite runs (public notices are counted in working days, and the holiday
# calendar only knows the years it was published for). Tests move it with
# `clock.frozen_at`; Django's own timestamps (auto_now) still read the real time.
TEST_TODAY = (2025, 6, 9)


@pytest.fixture(autouse=True)
def _fixed_clock():
    import datetime as dt

    from closeout.ledger import clock

    with clock.frozen_at(dt.date(*TEST_TODAY)):
        yield


@pytest.fixture
def world(db):
    from closeout.ledger.tests.factories import build_world

    return build_world()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Give each test process its own PostgreSQL test database, so that several suites
    (CI, a developer's run, parallel workers) can share one server."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        db.setdefault("TEST", {})
        base = db["TEST"].get("NAME") or f"test_{db['NAME']}"
        db["TEST"]["NAME"] = f"{base}_{os.getpid()}"
