"""`build_world` writes, a table at a time (`worldrows`), exactly the world the services
write one call at a time (`build_world(fast=False)`): the same rows in every table, ids
included, and the same objects handed back, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.management.color import no_style
from django.db import connection, models, transaction

from closeout.ledger.tests.factories import (
    PASSWORD,
    PlanFactory,
    ProblemFactory,
    World,
    build_world,
)

pytestmark = pytest.mark.django_db

MODELS = [
    m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy
]


def _moment(field: models.Field[Any, Any]) -> bool:
    """A time the database or Django sets as the row is written (it differs from run to run)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return True
    return field.model is get_user_model() and field.name == "date_joined"


def _value(field: models.Field[Any, Any], value: Any) -> Any:
    if field.model is get_user_model() and field.name == "password":
        # Salted: the same password hashes differently each time.
        return identify_hasher(value).algorithm, check_password(PASSWORD, value)
    return value


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not _moment(f)]


def _tables() -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in id order, less the moments they were written."""
    out = {}
    for model in MODELS:
        fields = _columns(model)
        rows = model._base_manager.order_by("pk").values_list(*(f.attname for f in fields))
        out[model._meta.label] = [
            tuple(_value(f, v) for f, v in zip(fields, row, strict=True)) for row in rows
        ]
    return out


def _object(obj: Any) -> Any:
    """A model instance as a test sees it: its values, what it has cached, its state."""
    if not isinstance(obj, models.Model):
        return obj
    fields = _columns(type(obj))
    cached = {
        name: (type(value).__name__, value.pk) if isinstance(value, models.Model) else value
        for name, value in obj._state.fields_cache.items()
    }
    return {
        "model": type(obj).__name__,
        "values": {f.attname: _value(f, getattr(obj, f.attname)) for f in fields},
        "types": {f.attname: type(getattr(obj, f.attname)).__name__ for f in fields},
        "cached": cached,
        "profile": _object(cached_profile) if (cached_profile := _profile(obj)) else None,
        "state": (obj._state.adding, obj._state.db),
        "fsm": getattr(obj, "_ConcurrentTransitionMixin__initial_states", None),
    }


def _profile(obj: Any) -> Any:
    return obj._state.fields_cache.get("profile")


def _objects(world: World) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in dataclasses.fields(world):
        value = getattr(world, field.name)
        if isinstance(value, dict):
            out[field.name] = {k: _object(v) for k, v in value.items()}
        else:
            out[field.name] = _object(value)
    return out


def _restart_ids() -> None:
    """Each table's next id right after its last row, as before the first world.

    A savepoint's rollback takes the rows back but, on PostgreSQL, not the ids drawn."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cursor.execute(sql)


def _written(make: Callable[[], World]) -> tuple[dict[str, Any], dict[str, Any]]:
    sid = transaction.savepoint()
    try:
        _restart_ids()
        PlanFactory.reset_sequence()
        ProblemFactory.reset_sequence()
        world = make()
        return _tables(), _objects(world)
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.parametrize("status", ["in_progress", "draft"])
def test_the_world_has_the_rows_and_objects_the_services_write(status):
    by_services = _written(lambda: build_world(status=status, fast=False))
    by_rows = _written(lambda: build_world(status=status))
    tables, objects = by_services
    assert sum(map(len, tables.values())) > 50  # units, tasks, users, events…
    for label in tables:
        assert by_rows[0][label] == tables[label], label
    assert by_rows[1] == objects
