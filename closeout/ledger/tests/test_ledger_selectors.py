"""Reads of the ledger table: the closed loop's filters (schedule status, missing reports,
measures standing, public notice, rebounds, district), progress rolled up to problems
and plans in a fixed number of grouped queries, and saved views (each user's own)."""

from __future__ import annotations

import itertools
import random

import pytest

from closeout.ledger import selectors, services
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import SavedView, Task, TaskState
from closeout.ledger.rules.rollup import Rollup, plan_rollup, problem_done
from closeout.ledger.rules.workflow import Status
from closeout.ledger.selectors import TaskFilter
from closeout.ledger.selectors.ledger import (
    COLUMNS,
    plan_rollups,
    problem_rollups,
    saved_view,
    saved_views,
)
from closeout.ledger.services.savedviews import savedview_create, savedview_delete, view_query
from closeout.ledger.tests.factories import PlanFactory, ProblemFactory, make_task


def _ids(actor, **filters):
    return set(selectors.task_list(actor, TaskFilter(**filters)).values_list("pk", flat=True))


def _bucket(task, bucket):
    TaskState.objects.filter(task_id=task.pk).update(bucket=bucket)


def test_every_task_of_the_world_is_overdue_and_the_bucket_filter_reads_the_state(world):
    office = world.actor("office")
    everyone = {world.own.pk, world.child.pk, world.foreign.pk}
    assert _ids(office, bucket=("overdue",)) == everyone  # due 2020, today is 2025
    _bucket(world.own, "done")
    _bucket(world.child, "behind")
    assert _ids(office, bucket=("done",)) == {world.own.pk}
    assert _ids(office, bucket=("done", "behind")) == {world.own.pk, world.child.pk}
    assert _ids(office, bucket=("on_schedule",)) == set()
    # What the actor may see still bounds the filter.
    assert _ids(world.actor("unit_env"), bucket=("done", "behind")) == {world.own.pk}


def test_an_unknown_bucket_is_refused_naming_the_field(world):
    with pytest.raises(InvalidInput) as refused:
        _ids(world.actor("office"), bucket=("late",))
    assert refused.value.field == "bucket"


def test_missing_reports_escalated_notice_and_rebounded_filters(world):
    office = world.actor("office")
    TaskState.objects.filter(task_id=world.child.pk).update(missed_reports=2)
    assert _ids(office, missing=True) == {world.child.pk}
    assert _ids(office, missing=False) == {world.own.pk, world.foreign.pk}

    measure = services.escalation_issue(
        actor=office, task_id=world.foreign.pk, level="supervision", reason="滞后", cause_key="D1"
    )
    assert _ids(office, escalated=True) == {world.foreign.pk}
    services.escalation_lift(actor=office, escalation_id=measure.pk, reason="已整改")
    assert _ids(office, escalated=True) == set()
    assert _ids(office, escalated=False) == {world.own.pk, world.child.pk, world.foreign.pk}

    Task.objects.filter(pk=world.own.pk).update(status=Status.NOTICE)
    assert _ids(office, notice=True) == {world.own.pk}
    Task.objects.filter(pk=world.child.pk).update(rebounds=1)
    assert _ids(office, rebounded=True) == {world.child.pk}
    assert _ids(office, rebounded=False, notice=False) == {world.foreign.pk}


def test_district_and_unit_both_apply(world):
    office = world.actor("office")
    assert _ids(office, district=world.district.pk) == {world.child.pk}
    # the supervising unit takes part in own and child; the district only in child
    assert _ids(office, unit=world.supervising.pk, district=world.district.pk) == {world.child.pk}
    assert _ids(office, unit=world.water.pk, district=world.district.pk) == set()
    with pytest.raises(NotFound):
        _ids(office, district=999_999)


def test_a_page_filtered_by_district_counts_its_tasks(world):
    page = selectors.task_page(world.actor("office"), TaskFilter(district=world.city.pk))
    assert page.count == 3 and len(page.rows) == 3
    assert all(row.state.bucket == "overdue" for row in page.rows)  # loaded with the row


# ---------------------------------------------------------------------------- roll-ups


def _ledger(world, n_problems=6, per_problem=4, seed=7):
    """Problems with tasks in random buckets (some pending, some cancelled); the
    buckets each problem should count, computed here task by task."""
    rng = random.Random(seed)
    plan = PlanFactory(published=True)
    expected = {}
    seq = itertools.count(1)
    for p in range(n_problems):
        problem = ProblemFactory(plan=plan, seq=p + 1)
        counts = {}
        for _ in range(rng.randint(1, per_problem)):
            task = make_task(problem, next(seq), world.env)
            bucket = rng.choice(["done", "sustained", "on_schedule", "behind", "overdue", ""])
            cancelled = rng.random() < 0.1
            status = Status.CANCELLED if cancelled else Status.IN_PROGRESS if bucket else "draft"
            Task.objects.filter(pk=task.pk).update(status=status)
            _bucket(task, bucket)
            if not cancelled:
                counts[bucket] = counts.get(bucket, 0) + 1
        expected[problem.pk] = counts
    return plan, expected


def test_problems_roll_up_their_tasks_by_bucket_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    plan, expected = _ledger(world, n_problems=12)
    office = world.actor("office")
    # the page, the count, the problems; on PostgreSQL the plan filter's bounded count
    with django_assert_max_num_queries(4):
        page = problem_rollups(office, TaskFilter(plan=plan.pk), size=50)
    got = {row.problem.pk: row.rollup for row in page.rows}
    want = {pk: Rollup.of(c) for pk, c in expected.items() if sum(c.values())}
    assert got == want
    assert page.count == len(want)
    for row in page.rows:
        assert row.rollup.done is problem_done(expected[row.problem.pk])
        assert row.problem.plan.title == plan.title


def test_problems_are_paged_in_order(world):
    plan, expected = _ledger(world, n_problems=7)
    office = world.actor("office")
    first = problem_rollups(office, TaskFilter(plan=plan.pk), page=1, size=4)
    second = problem_rollups(office, TaskFilter(plan=plan.pk), page=2, size=4)
    ids = [r.problem.pk for r in first.rows + second.rows]
    assert ids == sorted(pk for pk, c in expected.items() if sum(c.values()))
    assert first.has_next and not second.has_next


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_plan_rolls_up_like_the_rule_in_a_fixed_number_of_queries(
    world, seed, django_assert_max_num_queries
):
    plan, expected = _ledger(world, n_problems=10, seed=seed)
    office = world.actor("office")
    with django_assert_max_num_queries(3):
        rows = plan_rollups(office)
    by_plan = {row.plan.pk: row.rollup for row in rows}
    assert by_plan[plan.pk] == plan_rollup(expected.values())
    # the world's own plan: one problem, three overdue tasks, not done
    assert by_plan[world.plan.pk].problems == 1
    assert by_plan[world.plan.pk].problems_done == 0


def test_a_problem_whose_tasks_are_all_finished_is_done_in_both_views(world):
    office = world.actor("office")
    _bucket(world.own, "done")
    _bucket(world.child, "sustained")
    (row,) = problem_rollups(office).rows
    assert not row.rollup.done  # the foreign task is still overdue
    _bucket(world.foreign, "done")
    (row,) = problem_rollups(office).rows
    assert row.rollup.done and row.rollup.finished == 3
    (plan,) = plan_rollups(office)
    assert (plan.rollup.problems, plan.rollup.problems_done, plan.rollup.done) == (1, 1, True)


def test_roll_ups_count_only_what_the_actor_sees_and_the_filter_keeps(world):
    (row,) = problem_rollups(world.actor("unit_env")).rows
    assert row.rollup.tasks == 1
    assert problem_rollups(world.actor("office"), TaskFilter(bucket=("done",))).rows == []
    assert plan_rollups(world.actor("office"), TaskFilter(bucket=("done",))) == []


# ------------------------------------------------------------------------- saved views


def test_a_saved_view_keeps_the_filter_without_page_or_columns(world):
    office = world.actor("office")
    view = savedview_create(
        actor=office,
        name="  逾期  任务 ",
        query="?bucket=overdue&bucket=behind&page=3&col=seq&q=&unit=5",
        columns=["seq", "bucket", "task"],
    )
    assert view.name == "逾期 任务"
    assert view.query == "bucket=overdue&bucket=behind&unit=5"
    assert view.columns == ["seq", "bucket", "task"]
    assert list(saved_views(office)) == [view]
    assert saved_view(office, view.pk) == view


def test_view_names_are_unique_per_user_with_a_clear_error(world):
    office, leader = world.actor("office"), world.actor("leader")
    savedview_create(actor=office, name="我的", query="", columns=["seq"])
    with pytest.raises(InvalidInput) as refused:
        savedview_create(actor=office, name="我的", query="", columns=["task"])
    assert refused.value.field == "name" and "我的" in refused.value.message
    savedview_create(actor=leader, name="我的", query="", columns=["task"])  # another user
    assert SavedView.objects.count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "", "query": "", "columns": ["seq"]}, "name"),
        ({"name": "x" * 61, "query": "", "columns": ["seq"]}, "name"),
        ({"name": "a", "query": "", "columns": ["seq", "nope"]}, "columns"),
        ({"name": "a", "query": "", "columns": ["seq", "seq"]}, "columns"),
        ({"name": "a", "query": "", "columns": []}, "columns"),
        ({"name": "a", "query": "q=" + "长" * 400, "columns": ["seq"]}, "query"),
        ({"name": "a", "query": "q=\x00", "columns": ["seq"]}, "query"),
    ],
)
def test_bad_saved_views_are_refused_naming_the_field(world, kwargs, field):
    with pytest.raises(InvalidInput) as refused:
        savedview_create(actor=world.actor("office"), **kwargs)
    assert refused.value.field == field
    assert not SavedView.objects.exists()


def test_only_ones_own_views_are_opened_or_deleted(world):
    office, leader = world.actor("office"), world.actor("leader")
    view = savedview_create(actor=office, name="v", query="", columns=list(COLUMNS))
    assert list(saved_views(leader)) == []
    with pytest.raises(NotFound):
        saved_view(leader, view.pk)
    with pytest.raises(NotFound):
        savedview_delete(actor=leader, view_id=view.pk)
    savedview_delete(actor=office, view_id=view.pk)
    assert not SavedView.objects.exists()
    with pytest.raises(NotFound):
        savedview_delete(actor=office, view_id=view.pk)


def test_a_visitor_has_no_saved_views(world):
    assert list(saved_views(world.actor("public"))) == []
    with pytest.raises(NotFound):
        savedview_create(actor=world.actor("public"), name="v", query="", columns=["seq"])


def test_view_query_drops_empty_values_page_and_columns():
    assert view_query("a=1&page=2&col=x&b=&csrfmiddlewaretoken=t") == "a=1"


@pytest.mark.parametrize("few", [0, 50_000])
def test_bucket_and_plan_filters_agree_whichever_way_the_candidates_are_read(
    world, monkeypatch, few
):
    """Few candidates are picked by id on PostgreSQL, many through the join: same tasks."""
    from closeout.ledger.selectors import tasks

    monkeypatch.setattr(tasks, "FEW", few)
    _bucket(world.own, "behind")
    office = world.actor("office")
    assert _ids(office, bucket=("behind",)) == {world.own.pk}
    assert _ids(office, bucket=("overdue",), plan=world.plan.pk) == {
        world.child.pk,
        world.foreign.pk,
    }
    page = selectors.task_page(office, TaskFilter(bucket=("overdue",)))
    assert page.count == 2 and {t.pk for t in page.rows} == {world.child.pk, world.foreign.pk}
