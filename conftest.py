"""Shared test fixtures: a small ledger with a unit of every kind of relation to a task."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still
# used synchronously there, which is safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """Each test writes evidence and documents to its own folder."""
    settings.DATA_DIR = tmp_path
    # The real hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from closeout.ledger.tests.factories import build_world

    return build_world()
