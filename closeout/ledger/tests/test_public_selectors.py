"""The public portal's reads (`selectors.public`): which plans and tasks are public,
which fields of them, and counts by schedule bucket from grouped queries."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from closeout.ledger import clock, services
from closeout.ledger.access import Actor
from closeout.ledger.errors import InvalidInput, NotFound
from closeout.ledger.models import AssignmentRole, Objection, Role, TaskState
from closeout.ledger.selectors import public as portal
from closeout.ledger.selectors.publicrecords import Buckets, PublicTask, PublicTaskRow, problem_done
from closeout.ledger.tests.factories import PlanFactory, ProblemFactory, make_task, take

OFFICE = Actor(role=Role.OFFICE, label="test-office")


def _bucket(task, bucket: str) -> None:
    TaskState.objects.filter(task_id=task.pk).update(bucket=bucket)


def _counts(**given: int) -> dict[str, int]:
    return {b: given.get(b, 0) for b in ("done", "sustained", "on_schedule", "behind", "overdue")}


@pytest.mark.parametrize(
    ("counts", "done"),
    [
        ({}, False),  # no task counted: not done
        ({"done": 2}, True),
        ({"done": 1, "sustained": 1}, True),
        ({"sustained": 3}, True),
        ({"done": 4, "on_schedule": 1}, False),
        ({"done": 4, "overdue": 1}, False),
        ({"behind": 1}, False),
    ],
)
def test_a_problem_is_done_when_every_task_is_done_or_sustained(counts, done):
    assert problem_done(Buckets(_counts(**counts))) is done


def test_the_done_share_rounds_down():
    assert Buckets(_counts(done=2, behind=1)).done_percent == 66
    assert Buckets(_counts()).done_percent == 0


def test_only_confirmed_published_plans_are_public(world):
    PlanFactory(status="draft", published=True)
    PlanFactory(status="superseded", published=True)
    PlanFactory(status="confirmed", published=False)
    page = portal.public_plan_page()
    assert [p.id for p in page.rows] == [world.plan.pk]
    for hidden in (world.plan.pk + 1, world.plan.pk + 2, world.plan.pk + 3):
        with pytest.raises(NotFound):
            portal.public_plan(hidden)


def test_plans_count_their_problems_and_tasks_by_bucket(world):
    _bucket(world.own, "done")
    _bucket(world.child, "behind")  # `foreign` stays overdue (due 2020-12-31)
    second = ProblemFactory(plan=world.plan, seq=2)
    extra = make_task(second, 4, world.env)
    take(OFFICE, extra, "confirm")
    _bucket(extra, "on_schedule")
    cancelled = make_task(second, 5, world.env)
    take(OFFICE, cancelled, "confirm")
    take(OFFICE, cancelled, "cancel", note="duplicate")
    make_task(ProblemFactory(plan=world.plan, seq=3), 6, world.env)  # a draft only
    (plan,) = portal.public_plan_page().rows
    assert plan.problems == 2  # the problem with only a draft task is not counted
    assert plan.buckets.counts == _counts(done=1, behind=1, on_schedule=1, overdue=1)
    assert portal.public_totals().counts == plan.buckets.counts
    problems = portal.public_problem_page(world.plan.pk).rows
    assert [(p.seq, p.buckets.total, p.done) for p in problems] == [(1, 3, False), (2, 1, False)]


def test_counting_takes_the_same_queries_for_three_tasks_or_thirty(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            portal.public_plan_page()
            portal.public_totals()
            portal.public_problem_page(world.plan.pk)
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(3):
        plan = PlanFactory(published=True)
        for seq in range(1, 10):
            task = make_task(ProblemFactory(plan=plan, seq=seq), seq, world.water)
            take(OFFICE, task, "confirm")
    assert queries() == few


def test_drafts_cancelled_tasks_and_unpublished_plans_have_no_public_task(world):
    draft = make_task(world.own.problem, 8, world.env)
    cancelled = make_task(world.own.problem, 9, world.env)
    take(OFFICE, cancelled, "confirm")
    take(OFFICE, cancelled, "cancel", note="duplicate")
    hidden_plan = PlanFactory(published=False)
    hidden = make_task(ProblemFactory(plan=hidden_plan, seq=1), 1, world.env)
    take(OFFICE, hidden, "confirm")
    for task in (draft, cancelled, hidden):
        with pytest.raises(NotFound):
            portal.public_task(task.pk)
        with pytest.raises(NotFound):
            portal.public_objections(task.pk)
    assert portal.public_task(world.own.pk).row.id == world.own.pk


def test_a_public_task_has_the_public_fields_and_no_others():
    """Adding a field to the public records is a decision: this test names them all."""
    assert {f.name for f in dataclasses.fields(PublicTask)} == {
        "row", "problem_id", "problem_seq", "problem_number", "target", "measures",
        "category", "immediate", "ongoing", "units", "steps", "notice_from", "lookbacks",
    }  # fmt: skip
    assert {f.name for f in dataclasses.fields(PublicTaskRow)} == {
        "id", "plan_id", "plan_title", "problem_title", "seq", "text", "deadline_raw",
        "due_date", "progress", "status", "status_label", "bucket", "bucket_label",
        "notice_until", "closed_on", "leads",
    }  # fmt: skip


def test_a_task_names_its_units_by_part_and_its_steps_by_day_only(world):
    office, unit = world.actor("office"), world.actor("unit_env")
    take(unit, world.own, "request_closeout", note="自评说明")
    take(office, world.own, "pass_review", note="初审意见")
    task = portal.public_task(world.own.pk)
    assert [(part, [u.name for u in names]) for part, names in task.units] == [
        (AssignmentRole.LEAD.label, ["市生态环境局"]),
        (AssignmentRole.SUPERVISING.label, ["市督导组"]),
    ]
    assert [(s.kind, s.on) for s in task.steps] == [
        ("request", clock.today()),
        ("review", clock.today()),
    ]
    assert task.under_notice and task.notice_from == clock.today()
    assert task.row.leads[0].name == "市生态环境局"


def test_spam_objections_are_not_public_and_objectors_never(world):
    office, unit = world.actor("office"), world.actor("unit_env")
    take(unit, world.own, "request_closeout")
    take(office, world.own, "pass_review")
    public = Actor.of(None)
    kept = services.objection_lodge(
        actor=public, task_id=world.own.pk, text="仍有异味", name="王五", contact="13800138000"
    )
    spam = services.objection_lodge(actor=public, task_id=world.own.pk, text="广告")
    services.objection_mark_spam(actor=office, objection_id=spam.pk, reason="广告")
    services.objection_answer(actor=office, objection_id=kept.pk, answer="已复核")
    (shown,) = portal.public_objections(world.own.pk)
    assert (shown.pk, shown.text, shown.answer) == (kept.pk, "仍有异味", "已复核")
    assert shown.name == shown.contact == "" and shown.spam_at is None
    assert Objection.objects.filter(task=world.own).count() == 2
    assert [r.id for r in portal.public_notice_page().rows] == [world.own.pk]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (portal.ProblemFilter(bucket="zzz"), "bucket"),
        (portal.ProblemFilter(category="zzz"), "category"),
        (portal.ProblemFilter(q="x" * 101), "q"),
        (portal.ProblemFilter(q=" ".join(str(n) for n in range(11))), "q"),
    ],
)
def test_a_bad_filter_is_refused_naming_the_field(world, filters, field):
    with pytest.raises(InvalidInput) as err:
        portal.public_problem_page(world.plan.pk, filters)
    assert err.value.field == field


def test_problems_are_filtered_by_bucket_category_and_words(world):
    _bucket(world.own, "done")
    other = ProblemFactory(plan=world.plan, seq=2, title="大气污染防治", category="air")
    take(OFFICE, make_task(other, 4, world.env, text="淘汰燃煤锅炉"), "confirm")

    def seqs(**kw: str) -> list[int]:
        page = portal.public_problem_page(world.plan.pk, portal.ProblemFilter(**kw))
        return [p.seq for p in page.rows]

    assert seqs() == [1, 2]
    assert seqs(bucket="done") == [1]
    assert seqs(category="air") == [2]
    assert seqs(q="燃煤") == [2]  # a task's words find its problem
    assert seqs(q="大气 燃煤") == [2]
    assert seqs(q="饮用水") == [1]
    assert seqs(q="燃煤 饮用水") == []


def test_pages_past_the_end_show_the_last_page(world):
    page = portal.public_problem_page(world.plan.pk, page=portal.MAX_PAGE, size=1)
    assert page.number == 1 and page.num_pages == 1 and len(page.rows) == 1
    assert portal.public_closed_page(page=10**6).rows == []
