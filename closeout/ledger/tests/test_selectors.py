"""Reads: the task list's filters, and the copy of each task's status on its assignments
that the unit filter reads."""

from __future__ import annotations

from closeout.ledger import selectors
from closeout.ledger.models import AssignmentRole, TaskUnit
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors import TaskFilter
from closeout.ledger.tests.factories import take


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
    take(office, world.own, "request_closeout")
    statuses = set(TaskUnit.objects.filter(task=world.own).values_list("task_status", flat=True))
    assert statuses == {Status.REQUESTED}
    assert _ids(office, unit=world.env.pk, status=(Status.REQUESTED,)) == {world.own.pk}
    assert _ids(office, unit=world.env.pk, status=(Status.IN_PROGRESS,)) == set()


def test_an_assignment_added_later_copies_the_current_status(world):
    TaskUnit.objects.create(task=world.foreign, unit=world.env, role=AssignmentRole.COOP)
    copy = TaskUnit.objects.get(task=world.foreign, unit=world.env)
    assert copy.task_status == Status.IN_PROGRESS
    assert world.foreign.pk in _ids(
        world.actor("office"), unit=world.env.pk, status=(Status.IN_PROGRESS,)
    )


def test_unit_users_see_their_subtree_through_the_same_index(world):
    assert _ids(world.actor("unit_licheng")) == {world.child.pk}
    assert _ids(world.actor("unit_licheng"), unit=world.city.pk) == {world.child.pk}


def _more_tasks(world, n):
    from closeout.ledger.tests.factories import ProblemFactory, make_task

    problem = ProblemFactory(plan=world.plan, seq=7)
    return [make_task(problem, 10 + i, world.district_env, world.supervising) for i in range(n)]


def test_a_page_keeps_the_sort_order_and_counts_the_whole_list(world):
    _more_tasks(world, 5)
    office = world.actor("office")
    for filters in (TaskFilter(sort="-seq"), TaskFilter(sort="-seq", unit=world.district.pk)):
        everything = list(selectors.task_list(office, filters).values_list("pk", flat=True))
        first = selectors.task_page(office, filters, page=1, size=2)
        second = selectors.task_page(office, filters, page=2, size=2)
        assert [t.pk for t in first.rows + second.rows] == everything[:4]
        assert first.count == second.count == len(everything)
        assert first.num_pages == -(-len(everything) // 2) and first.has_next


def test_a_page_past_the_end_is_empty_but_still_counts(world):
    page = selectors.task_page(world.actor("unit_licheng"), None, page=9, size=2)
    assert page.rows == [] and page.count == 1 and not page.has_next


def test_pages_are_numbered_from_one(world):
    import pytest

    from closeout.ledger.errors import InvalidInput

    with pytest.raises(InvalidInput):
        selectors.task_page(world.actor("office"), None, page=0)


def test_a_text_search_counts_up_to_a_cap(world, monkeypatch):
    monkeypatch.setattr(selectors.tasks, "SEARCH_COUNT_CAP", 2)
    office = world.actor("office")
    page = selectors.task_page(office, TaskFilter(q="饮用水"), size=1)
    assert (page.count, page.exact, len(page.rows)) == (2, False, 1)
    plain = selectors.task_page(office, TaskFilter(), size=1)
    assert (plain.count, plain.exact) == (3, True)
