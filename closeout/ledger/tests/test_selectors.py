"""Reads: the task list's filters, and the copy of each task's status on its assignments
that the unit filter reads."""

from __future__ import annotations

from closeout.ledger import selectors, services
from closeout.ledger.models import AssignmentRole, TaskUnit
from closeout.ledger.selectors import TaskFilter
from closeout.ledger.workflow import Status


def _ids(actor, **filters):
    return set(selectors.task_list(actor, TaskFilter(**filters)).values_list("pk", flat=True))


def test_the_unit_filter_takes_the_whole_subtree(world):
    office = world.actor("office")
    assert _ids(office, unit=world.district.pk) == {world.child.pk}
    assert _ids(office, unit=world.city.pk) == {world.own.pk, world.child.pk, world.foreign.pk}
    assert _ids(office, unit=world.supervising.pk) == {world.own.pk, world.child.pk}
    assert _ids(office, unit=world.supervising.pk, unit_role=AssignmentRole.LEAD) == set()


def test_assignments_follow_the_task_status_through_every_transition(world):
    office = world.actor("office")
    services.task_transition(actor=office, task_id=world.own.pk, name="request_closeout")
    statuses = set(TaskUnit.objects.filter(task=world.own).values_list("task_status", flat=True))
    assert statuses == {Status.REQUESTED}
    assert _ids(office, unit=world.env.pk, status=(Status.REQUESTED,)) == {world.own.pk}
    assert _ids(office, unit=world.env.pk, status=(Status.IN_PROGRESS,)) == set()


def test_an_assignment_added_later_copies_the_current_status(world):
    TaskUnit.objects.create(task=world.foreign, unit=world.env, role=AssignmentRole.COOP)
    copy = TaskUnit.objects.get(task=world.foreign, unit=world.env)
    assert copy.task_status == Status.IN_PROGRESS
    assert world.foreign.pk in _ids(world.actor("office"), unit=world.env.pk,
                                    status=(Status.IN_PROGRESS,))


def test_unit_users_see_their_subtree_through_the_same_index(world):
    assert _ids(world.actor("unit_licheng")) == {world.child.pk}
    assert _ids(world.actor("unit_licheng"), unit=world.city.pk) == {world.child.pk}
