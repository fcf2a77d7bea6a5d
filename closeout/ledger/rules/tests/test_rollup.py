"""Progress rolled up to problems and plans: when a problem is done, table by table, and
a plan's totals as the sum of its problems'."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ledger.rules.rollup import (
    KEYS,
    PENDING,
    Rollup,
    plan_rollup,
    problem_done,
)

DONE, SUSTAINED, ON, BEHIND, OVERDUE = "done", "sustained", "on_schedule", "behind", "overdue"


@pytest.mark.parametrize(
    ("counts", "done"),
    [
        ({DONE: 3}, True),
        ({SUSTAINED: 2}, True),  # ongoing tasks filed as completed count as finished
        ({DONE: 1, SUSTAINED: 4}, True),
        ({DONE: 3, ON: 1}, False),  # one task still running
        ({DONE: 3, BEHIND: 1}, False),
        ({DONE: 3, OVERDUE: 1}, False),
        ({DONE: 3, PENDING: 1}, False),  # a task not even confirmed
        ({}, False),  # nothing to show for it
        ({DONE: 0, SUSTAINED: 0}, False),
        ({ON: 5}, False),
    ],
)
def test_a_problem_is_done_when_every_counted_task_is_done_or_sustained(counts, done):
    assert problem_done(counts) is done
    assert Rollup.of(counts).done is done


@pytest.mark.parametrize(
    ("counts", "tasks", "finished", "share"),
    [
        ({DONE: 1, SUSTAINED: 1, ON: 1, BEHIND: 1}, 4, 2, 50),
        ({DONE: 2, OVERDUE: 1}, 3, 2, 66),  # rounded down
        ({DONE: 199, BEHIND: 1}, 200, 199, 99),  # never shown as 100 while one is open
        ({}, 0, 0, 0),
        ({PENDING: 2}, 2, 0, 0),
    ],
)
def test_a_rollup_counts_tasks_and_finished_ones(counts, tasks, finished, share):
    rollup = Rollup.of(counts)
    assert (rollup.tasks, rollup.finished, rollup.share) == (tasks, finished, share)
    assert set(rollup.counts) == set(KEYS)


@pytest.mark.parametrize("counts", [{"closed": 1}, {"nonsense": 0}, {DONE: -1}])
def test_counts_that_are_not_buckets_are_refused(counts):
    with pytest.raises(ValueError):
        problem_done(counts)


@pytest.mark.parametrize(
    ("problems", "tasks", "n", "done"),
    [
        ([{DONE: 2}, {SUSTAINED: 1}], {DONE: 2, SUSTAINED: 1}, 2, 2),
        ([{DONE: 2}, {DONE: 1, BEHIND: 1}], {DONE: 3, BEHIND: 1}, 2, 1),
        ([{DONE: 2}, {}], {DONE: 2}, 1, 1),  # a problem without counted tasks is left out
        ([], {}, 0, 0),
        ([{OVERDUE: 1}, {PENDING: 1}], {OVERDUE: 1, PENDING: 1}, 2, 0),
    ],
)
def test_a_plan_sums_its_problems_and_counts_those_done(problems, tasks, n, done):
    plan = plan_rollup(problems)
    assert plan.tasks == Rollup.of(tasks)
    assert (plan.problems, plan.problems_done) == (n, done)
    assert plan.done is (n > 0 and n == done)


bucket_counts = st.dictionaries(st.sampled_from(KEYS), st.integers(0, 5))


@given(st.lists(bucket_counts, max_size=8))
def test_a_plan_is_done_exactly_when_each_of_its_problems_with_tasks_is(problems):
    plan = plan_rollup(problems)
    with_tasks = [p for p in problems if sum(p.values())]
    assert plan.done is (bool(with_tasks) and all(problem_done(p) for p in with_tasks))
    assert plan.tasks.tasks == sum(sum(p.values()) for p in problems)
