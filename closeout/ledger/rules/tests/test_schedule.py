"""Schedule status (序时进度): the bucket rules, table by table, and the property that every
confirmed task lands in exactly one bucket."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closeout.ledger.rules.schedule import (
    COUNTED_STATES,
    OPEN_STATES,
    Bucket,
    MilestoneFacts,
    ScheduleFacts,
    bucket_counts,
    expected_progress,
    schedule_status,
)

D = dt.date
START, DUE = D(2025, 1, 1), D(2025, 12, 31)  # 364 days apart


def facts(**overrides: object) -> ScheduleFacts:
    values: dict[str, object] = {"status": "in_progress", "start": START, "due": DUE}
    values.update(overrides)
    return ScheduleFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("task", "as_of", "bucket", "expected"),
    [
        # The state decides for finished tasks, whatever the dates.
        (facts(status="closed"), D(2026, 6, 1), Bucket.DONE, None),
        (facts(status="sustained", ongoing=True), D(2026, 6, 1), Bucket.SUSTAINED, None),
        (facts(status="closed", progress=10), D(2025, 2, 1), Bucket.DONE, None),
        # Time elapsed between start and due date, rounded down.
        (facts(progress=0), D(2025, 1, 1), Bucket.ON_SCHEDULE, 0),
        (facts(progress=0), D(2024, 12, 1), Bucket.ON_SCHEDULE, 0),  # before the start
        (facts(progress=49), D(2025, 7, 2), Bucket.BEHIND, 50),  # 182 of 364 days
        (facts(progress=50), D(2025, 7, 2), Bucket.ON_SCHEDULE, 50),
        (facts(progress=33), D(2025, 5, 1), Bucket.ON_SCHEDULE, 32),  # 120/364 = 32.97
        (facts(progress=99), DUE, Bucket.BEHIND, 100),  # the due date itself is not late
        (facts(progress=100), DUE, Bucket.ON_SCHEDULE, 100),
        # Open after the due date: overdue, even at 100% and even awaiting close-out.
        (facts(progress=100), D(2026, 1, 1), Bucket.OVERDUE, 100),
        (facts(status="notice", progress=100), D(2026, 1, 1), Bucket.OVERDUE, 100),
        (facts(status="verified", progress=100), D(2025, 12, 1), Bucket.ON_SCHEDULE, 91),
        # Immediate (立行立改) with no due date: nothing to be late against, followed by
        # its reports like any task without an expectation.
        (facts(due=None, immediate=True), START, Bucket.ON_SCHEDULE, None),
        (facts(due=None, immediate=True, progress=100), D(2025, 1, 2), Bucket.ON_SCHEDULE, None),
        (facts(due=None, immediate=True, reporting=False), D(2026, 1, 2), Bucket.BEHIND, None),
        # An immediate task with a due date keeps its due date.
        (facts(immediate=True, progress=50), D(2025, 7, 2), Bucket.ON_SCHEDULE, 50),
        (facts(immediate=True, progress=100), D(2026, 1, 1), Bucket.OVERDUE, 100),
        # Immediate and ongoing with no due date (立行立改,长期坚持): never overdue either.
        (facts(due=None, immediate=True, ongoing=True), D(2025, 2, 1), Bucket.ON_SCHEDULE, None),
        # Ongoing (长期坚持) with no due date: on schedule while it reports.
        (facts(due=None, ongoing=True), D(2030, 1, 1), Bucket.ON_SCHEDULE, None),
        (facts(due=None, ongoing=True, reporting=False), D(2025, 3, 1), Bucket.BEHIND, None),
        # No deadline at all (unparsed), or no start date to measure time from: same rule.
        (facts(due=None), D(2025, 3, 1), Bucket.ON_SCHEDULE, None),
        (facts(start=None, reporting=False), D(2025, 3, 1), Bucket.BEHIND, None),
        (facts(start=None), D(2026, 3, 1), Bucket.OVERDUE, None),
        # Due before start (bad data): everything is due at once.
        (facts(due=D(2024, 12, 1)), D(2024, 11, 1), Bucket.ON_SCHEDULE, 0),
    ],
)
def test_bucket_follows_the_schedule_rules(
    task: ScheduleFacts, as_of: dt.date, bucket: Bucket, expected: int | None
):
    status = schedule_status(task, as_of)
    assert (status.bucket, status.expected) == (bucket, expected)


MILESTONES = (
    MilestoneFacts(D(2025, 3, 31), 30),
    MilestoneFacts(D(2025, 6, 30), 60, reached_on=D(2025, 6, 20)),
    MilestoneFacts(D(2025, 9, 30), 90),
)


@pytest.mark.parametrize(
    ("progress", "as_of", "bucket", "expected"),
    [
        (0, D(2025, 3, 30), Bucket.ON_SCHEDULE, 0),  # before the first milestone: nothing due
        (0, D(2025, 3, 31), Bucket.BEHIND, 30),  # steps, not a ramp
        (30, D(2025, 3, 31), Bucket.ON_SCHEDULE, 30),
        (30, D(2025, 6, 19), Bucket.ON_SCHEDULE, 30),
        # Reaching the June milestone counts even when the percentage was not updated ...
        (40, D(2025, 6, 30), Bucket.ON_SCHEDULE, 60),
        # ... but only from the day it was reached.
        (40, D(2025, 6, 19), Bucket.ON_SCHEDULE, 30),
        (60, D(2025, 9, 30), Bucket.BEHIND, 90),
        (90, D(2025, 9, 30), Bucket.ON_SCHEDULE, 90),
        (90, D(2025, 12, 31), Bucket.ON_SCHEDULE, 90),
        (100, D(2026, 1, 1), Bucket.OVERDUE, 90),
    ],
)
def test_expected_progress_follows_milestones_when_there_are_any(
    progress: int, as_of: dt.date, bucket: Bucket, expected: int
):
    status = schedule_status(facts(progress=progress, milestones=MILESTONES), as_of)
    assert (status.bucket, status.expected) == (bucket, expected)


def test_milestones_set_expectations_even_without_a_due_date():
    task = facts(due=None, ongoing=True, milestones=MILESTONES[:1], progress=10)
    assert schedule_status(task, D(2025, 4, 1)).bucket == Bucket.BEHIND


@pytest.mark.parametrize("state", ["draft", "cancelled", "nonsense"])
def test_unconfirmed_tasks_are_in_no_bucket(state: str):
    with pytest.raises(ValueError):
        schedule_status(facts(status=state), D(2025, 3, 1))


def test_days_overdue_and_days_left_count_from_the_due_date():
    late = schedule_status(facts(), D(2026, 1, 30))
    assert late.due == DUE
    assert (late.days_overdue(D(2026, 1, 30)), late.days_left(D(2026, 1, 30))) == (30, -30)
    on_time = schedule_status(facts(), D(2025, 12, 24))
    assert (on_time.days_overdue(D(2025, 12, 24)), on_time.days_left(D(2025, 12, 24))) == (0, 7)


# Tasks without a due date, by the plan's words for it: immediate (立行立改), ongoing
# (长期坚持), both, or neither (a deadline the reader could not parse), each with and
# without a start date and milestones, in every open state, at dates from long before
# the start to years after it.
NO_DUE_KINDS = [
    {"immediate": True},
    {"ongoing": True},
    {"immediate": True, "ongoing": True},
    {},
]
NO_DUE_DAYS = [
    D(2018, 1, 1), D(2024, 12, 31), START, D(2025, 1, 2), D(2025, 3, 31), D(2025, 12, 31),
    D(2026, 1, 1), D(2027, 6, 30), D(2035, 1, 1), D(2060, 12, 31),
]  # fmt: skip


@pytest.mark.parametrize("kind", NO_DUE_KINDS, ids=["immediate", "ongoing", "both", "neither"])
@pytest.mark.parametrize("start", [START, None], ids=["start", "no-start"])
@pytest.mark.parametrize("milestones", [(), MILESTONES], ids=["plain", "milestones"])
@pytest.mark.parametrize("reporting", [True, False], ids=["reporting", "silent"])
def test_a_task_without_a_due_date_is_never_overdue(kind, start, milestones, reporting):
    for state in sorted(OPEN_STATES):
        for progress in (0, 100):
            task = facts(
                status=state, start=start, due=None, progress=progress,
                milestones=milestones, reporting=reporting, **kind,
            )  # fmt: skip
            for day in NO_DUE_DAYS:
                status = schedule_status(task, day)
                assert status.bucket != Bucket.OVERDUE, (kind, state, day)
                assert status.due is None
                assert (status.days_overdue(day), status.days_left(day)) == (0, None)
                if not milestones:  # nothing is expected: the reports decide
                    want = Bucket.ON_SCHEDULE if reporting else Bucket.BEHIND
                    assert (status.bucket, status.expected) == (want, None)


def test_the_counted_states_are_the_workflows_open_and_done_states():
    from closeout.ledger.rules.workflow import DONE_STATES
    from closeout.ledger.rules.workflow import OPEN_STATES as WORKFLOW_OPEN

    assert set(WORKFLOW_OPEN) == OPEN_STATES
    assert set(WORKFLOW_OPEN) | set(DONE_STATES) == COUNTED_STATES


# --- properties -------------------------------------------------------------------------

_dates = st.dates(min_value=D(2018, 1, 1), max_value=D(2030, 12, 31))
_milestones = st.lists(
    st.builds(
        MilestoneFacts,
        due_date=_dates,
        expected_progress=st.integers(0, 100),
        reached_on=st.none() | _dates,
    ),
    max_size=4,
).map(tuple)
_facts = st.builds(
    ScheduleFacts,
    status=st.sampled_from(sorted(COUNTED_STATES)),
    start=st.none() | _dates,
    due=st.none() | _dates,
    immediate=st.booleans(),
    ongoing=st.booleans(),
    progress=st.integers(0, 100),
    milestones=_milestones,
    reporting=st.booleans(),
)


@given(task=_facts, as_of=_dates)
def test_every_confirmed_task_lands_in_exactly_one_bucket(task: ScheduleFacts, as_of: dt.date):
    # Each bucket's definition, written independently of the implementation's order.
    due = task.due  # the flags never stand in for a due date
    is_open = task.status in OPEN_STATES
    overdue = is_open and due is not None and as_of > due
    expected = expected_progress(task, as_of)
    reached = [
        m.expected_progress for m in task.milestones if m.reached_on and m.reached_on <= as_of
    ]
    keeping_up = task.reporting if expected is None else max([task.progress, *reached]) >= expected
    holds = {
        Bucket.DONE: task.status == "closed",
        Bucket.SUSTAINED: task.status == "sustained",
        Bucket.OVERDUE: overdue,
        Bucket.ON_SCHEDULE: is_open and not overdue and keeping_up,
        Bucket.BEHIND: is_open and not overdue and not keeping_up,
    }
    assert sum(holds.values()) == 1
    status = schedule_status(task, as_of)
    assert holds[status.bucket]
    assert status.expected is None or 0 <= status.expected <= 100


@given(tasks=st.lists(_facts, max_size=30), as_of=_dates)
def test_bucket_counts_always_add_up_to_the_number_of_tasks(
    tasks: list[ScheduleFacts], as_of: dt.date
):
    counts = bucket_counts([schedule_status(task, as_of) for task in tasks])
    assert set(counts) == set(Bucket.values)
    assert sum(counts.values()) == len(tasks)


@given(start=_dates, length=st.integers(0, 2000), a=_dates, b=_dates)
def test_expected_progress_by_time_never_decreases(
    start: dt.date, length: int, a: dt.date, b: dt.date
):
    task = facts(start=start, due=start + dt.timedelta(days=length))
    early, late = sorted((a, b))
    assert expected_progress(task, early) <= expected_progress(task, late)  # type: ignore[operator]
