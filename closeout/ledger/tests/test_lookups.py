"""The `ids_in` lookup: membership in a list of integers sent as one parameter."""

from __future__ import annotations

from array import array

import pytest

from closeout.ledger.models import Task, TaskUnit
from closeout.ledger.tests.factories import World, build_world


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.mark.django_db
def test_ids_in_finds_exactly_the_listed_rows_by_key_and_by_foreign_key(world: World) -> None:
    wanted = [world.own.pk, world.foreign.pk, 10**9]  # an id that does not exist is no match
    assert sorted(Task.objects.filter(pk__ids_in=wanted).values_list("pk", flat=True)) == sorted(
        wanted[:2]
    )
    by_array = Task.objects.filter(pk__ids_in=array("q", wanted)).values_list("pk", flat=True)
    assert sorted(by_array) == sorted(wanted[:2])
    units = TaskUnit.objects.filter(task_id__ids_in=wanted).values_list("task_id", flat=True)
    assert set(units) == set(
        TaskUnit.objects.filter(task__in=wanted[:2]).values_list("task_id", flat=True)
    )
    assert not Task.objects.filter(pk__ids_in=[]).exists()


@pytest.mark.django_db
def test_ids_in_takes_integers_only() -> None:
    with pytest.raises(TypeError, match="integers"):
        list(Task.objects.filter(pk__ids_in=["1 OR 1=1"]))
