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


def _commit_without_waiting_for_the_disk(sender, connection, **kwargs):
    """On PostgreSQL a test database's commits do not wait for the WAL to reach the disk
    (`synchronous_commit = off`): what a commit makes visible, and when, is unchanged;
    only a crash of the server could lose the last commits, of a database thrown away at
    the end of the run. Transactional tests (the simulation, the browser tests) commit
    thousands of times."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")


def pytest_sessionstart(session):
    from django.db.backends.signals import connection_created

    connection_created.connect(_commit_without_waiting_for_the_disk)


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


# --- which tests run on which database ----------------------------------------------
#
# `./dev test` runs the suite on SQLite and, side by side, on PostgreSQL. A test that
# never touches the database asserts the same thing on both, so the PostgreSQL run
# (`--db-tests-only`) keeps only the tests that do: those marked django_db, those asking
# (directly or through any fixture) for one of pytest-django's database fixtures or for
# the test database's setup, those whose fixtures open the database themselves through
# django_db_blocker, and Django TestCase classes that declare databases.

DB_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "_django_db_helper",
        "django_db_setup",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "django_user_model",
        "django_username_field",
        "admin_user",
        "admin_client",
    }
)


def pytest_addoption(parser):
    parser.addoption(
        "--db-tests-only",
        action="store_true",
        help="run only the tests that touch the database (./dev test's PostgreSQL run)",
    )


def touches_database(item) -> bool:
    """Whether the test uses the database, by its marks and its whole fixture closure."""
    if item.get_closest_marker("django_db"):
        return True
    cls = getattr(item, "cls", None)
    if cls is not None:
        from django.test import SimpleTestCase, TransactionTestCase

        if issubclass(cls, TransactionTestCase):
            return True
        if issubclass(cls, SimpleTestCase) and cls.databases:
            return True
    names = set(getattr(item, "fixturenames", ()))
    if names & DB_FIXTURES:
        return True
    # A fixture of ours (or the test itself) that unblocks the database on its own.
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        if "django_db_blocker" in info.argnames:
            return True
        for defs in info.name2fixturedefs.values():
            for fixturedef in defs:
                module = getattr(fixturedef.func, "__module__", "") or ""
                if "django_db_blocker" in fixturedef.argnames and not module.startswith(
                    "pytest_django"
                ):
                    return True
    return False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if not config.getoption("db_tests_only"):
        return
    keep, dropped = [], []
    for item in items:
        (keep if touches_database(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_report_collectionfinish(config, items):
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    which = "the database tests" if config.getoption("db_tests_only") else "all tests"
    return f"{len(items)} tests on {vendor} ({which})"
